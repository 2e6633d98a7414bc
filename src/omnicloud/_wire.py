"""Declare each model field once (wire key, converter, default) and get a fast JSON mapper.

The idea is openstacksdk's resource fields, built on slotted dataclasses::

    @dataclass(slots=True)
    class Zone:
        id: str = wire("id", str, default="")
        name: str = wire("name", default="")

    zone = from_wire(Zone, {"id": "z1", "name": "Sandbox"})

``wire("*", fn)`` hands the whole document to ``fn``; a mapping as converter is a lookup table
(a value it lacks gives the default); :func:`parts` fills several fields from one converter call;
``context()`` fields are filled from the keyword arguments of :func:`from_wire` (the driver, for
example), and ``wire(..., using=("driver",))`` hands such context values to a converter too.
The mapper for a class is generated once (like :mod:`dataclasses` does for ``__init__``);
where that is the same thing it sets the fields on ``object.__new__(cls)`` instead of calling
``__init__``, and it inlines :class:`Lenient` converters and :class:`ExtraOf` views, so mapping
10,000 VMs stays cheap.

A model shared by every provider of a family (``Node``, ``StorageVolume``) cannot carry one
provider's wire keys: :func:`schema` declares them beside it instead, with the same ``wire()``
fields, and maps to the shared class itself.

Fast partial decoding is an option of the same declarations: :func:`heads` gives the
``TypedDict`` of exactly the keys a mapper reads (``"*"`` converters say which with ``reads=``;
:class:`ExtraOf` views read the whole document lazily), which a msgspec page reader decodes
instead of the whole document (see :class:`~omnicloud.cloudstack._heads.HeadReader`).
"""

from __future__ import annotations

import copy
import dataclasses
import keyword
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, field
from typing import Any, Generic, TypedDict, TypeVar

from omnicloud._docs import PartialDoc

M = TypeVar("M")
T = TypeVar("T")

__all__ = [
    "Extra",
    "ExtraOf",
    "Lenient",
    "Part",
    "Schema",
    "bind",
    "context",
    "from_wire",
    "heads",
    "mapper",
    "parts",
    "schema",
    "wire",
]

_WIRE = "omnicloud.wire"
_CONTEXT = "omnicloud.context"
_MAPPERS: dict[type[Any], Callable[..., Any]] = {}
_BINDERS: dict[type[Any], Callable[..., Callable[[Any], Any]]] = {}


class Part:
    """Item ``index`` of what one converter call returns for several fields (see :func:`parts`)."""

    __slots__ = ("conv", "index", "key", "reads", "using")

    def __init__(
        self,
        key: str,
        conv: Callable[..., tuple[Any, ...]],
        index: int,
        using: tuple[str, ...] = (),
        reads: tuple[str, ...] | None = None,
    ) -> None:
        self.key = key
        self.conv = conv
        self.index = index
        self.using = using
        self.reads = reads


def parts(
    key: str,
    conv: Callable[..., tuple[Any, ...]],
    count: int,
    *,
    using: tuple[str, ...] = (),
    reads: tuple[str, ...] | None = None,
) -> tuple[Part, ...]:
    """``count`` field sources filled from one ``conv(value, *using)`` call per document.

    ``conv`` returns a tuple of ``count`` items; declare each field with ``wire(part)``. When
    wire key ``key`` is missing or null (never for ``"*"``), those fields take their defaults.
    ``using`` and ``reads`` are as for :func:`wire`.
    """
    return tuple(Part(key, conv, index, using, reads) for index in range(count))


class Lenient(Generic[T]):
    """The converter ``fn`` giving ``fallback`` where it raises one of ``errors``.

    Generated mappers inline it (a ``try`` around ``fn`` instead of a Python call).
    """

    __slots__ = ("errors", "fallback", "fn")

    def __init__(
        self,
        fn: Callable[[Any], T],
        errors: tuple[type[Exception], ...],
        fallback: T | None = None,
    ) -> None:
        self.fn = fn
        self.errors = errors
        self.fallback = fallback

    def __call__(self, value: Any) -> T | None:
        try:
            return self.fn(value)
        except self.errors:
            return self.fallback


class ExtraOf:
    """The converter ``doc -> Extra(doc, aliases)``; generated mappers build the view inline."""

    __slots__ = ("aliases",)

    def __init__(self, aliases: Mapping[str, tuple[str, Callable[[Any], Any] | None]]) -> None:
        self.aliases = aliases

    def __call__(self, doc: Mapping[str, Any]) -> Extra:
        return Extra(doc, self.aliases)


class _Decl:
    """What one ``wire()`` field reads and how (kept in the field's metadata)."""

    __slots__ = ("conv", "key", "reads", "required", "using")

    def __init__(
        self,
        key: str | Part,
        conv: Any,
        using: tuple[str, ...],
        reads: tuple[str, ...] | None,
        required: bool,
    ) -> None:
        self.key = key
        self.conv = conv
        self.using = using
        self.reads = reads
        self.required = required


def wire(
    key: str | Part,
    conv: Callable[..., Any] | Mapping[Any, Any] | None = None,
    *,
    default: Any = None,
    factory: Callable[[], Any] | None = None,
    repr: bool = True,
    using: tuple[str, ...] = (),
    reads: tuple[str, ...] | None = None,
    required: bool = False,
) -> Any:
    """A field read from wire key ``key`` (``"*"``: the whole document) through ``conv``.

    A missing or null value gives ``default`` (or ``factory()``), without calling ``conv``. A
    mapping ``conv`` is a lookup table: a value it lacks gives ``default`` too. ``using`` names
    context values passed to ``conv`` after the value (``conv(value, driver)``). ``required``
    reads ``doc[key]`` (KeyError when absent) and converts even a null. ``reads`` lists the
    keys a ``"*"`` converter looks at (``"nic[].ipaddress"`` for a key of each list item), for
    :func:`heads`.
    """
    if isinstance(key, Part) and (conv is not None or using or reads or required):
        raise TypeError("a part's value is used as is: no converter, using, reads or required")
    if isinstance(conv, Mapping) and (factory is not None or using):
        raise TypeError("a lookup table falls back to default: no factory or using")
    if required and (key == "*" or factory is not None or isinstance(conv, Mapping)):
        raise TypeError("required is for one wire key read through a converter")
    if reads is not None and key != "*":
        raise TypeError("reads= is for '*' converters (a keyed field reads its key)")
    for name in using:
        _check_context_name(name)
    meta = {_WIRE: _Decl(key, conv, tuple(using), reads, required)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta, repr=repr)
    return field(default=default, metadata=meta, repr=repr)


def _check_context_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ValueError(f"context name {name!r} is not a public identifier")


def context(name: str | None = None, *, default: Any = None, repr: bool = False) -> Any:
    """A field filled from :func:`from_wire`'s keyword argument ``name`` (default: field name)."""
    return field(default=default, metadata={_CONTEXT: name}, repr=repr, compare=False)


def mapper(cls: type[M] | Schema[M]) -> Callable[..., M]:
    """The generated ``(doc, /, **context) -> cls`` function for a dataclass declared with wire().

    Context names are its keyword parameters; other keyword arguments are ignored. A
    :class:`Schema` gives its own mapper.
    """
    if isinstance(cls, Schema):
        return cls.map
    built = _MAPPERS.get(cls)
    if built is None:
        _MAPPERS[cls], _BINDERS[cls] = _compile(cls, dataclasses.fields(_dataclass(cls)))
        built = _MAPPERS[cls]
    return built


def bind(cls: type[M] | Schema[M], **ctx: Any) -> Callable[[Any], M]:
    """A one-argument ``doc -> cls`` mapper with the context given here (for ``map()``)."""
    if isinstance(cls, Schema):
        return cls.bind(**ctx)
    binder = _BINDERS.get(cls)
    if binder is None:
        mapper(cls)
        binder = _BINDERS[cls]
    built: Callable[[Any], M] = binder(**ctx)
    return built


def from_wire(cls: type[M] | Schema[M], doc: Mapping[str, Any], **ctx: Any) -> M:
    """Map one wire document to ``cls``."""
    return mapper(cls)(doc, **ctx)


class Schema(Generic[M]):
    """``wire()``/``context()`` fields for a dataclass declared elsewhere (see :func:`schema`).

    Calling it maps one document (``schema(doc, driver=d)``); :meth:`bind` fixes the context.
    """

    __slots__ = ("_bind", "map", "specs", "target")

    def __init__(self, target: type[M], declared: Mapping[str, Any]) -> None:
        fields = dataclasses.fields(_dataclass(target))
        unknown = set(declared) - {spec.name for spec in fields}
        if unknown:
            raise TypeError(f"{target.__name__} has no field {', '.join(sorted(unknown))}")
        specs: list[dataclasses.Field[Any]] = []
        for spec in fields:
            decl = declared.get(spec.name)
            if decl is None:
                if spec.init and spec.default is MISSING and spec.default_factory is MISSING:
                    raise TypeError(f"{target.__name__}.{spec.name} is required: declare it")
                specs.append(spec)
                continue
            if not isinstance(decl, dataclasses.Field) or not decl.metadata.keys() & {
                _WIRE,
                _CONTEXT,
            }:
                raise TypeError(f"{spec.name}: declare it with wire() or context()")
            merged = copy.copy(decl)
            merged.name = spec.name
            merged.init = spec.init
            specs.append(merged)
        self.target = target
        self.specs = tuple(specs)
        self.map: Callable[..., M]
        self.map, self._bind = _compile(target, self.specs)

    def __call__(self, doc: Mapping[str, Any], /, **ctx: Any) -> M:
        return self.map(doc, **ctx)

    def bind(self, **ctx: Any) -> Callable[[Any], M]:
        """A one-argument ``doc -> target`` mapper with this context."""
        built: Callable[[Any], M] = self._bind(**ctx)
        return built


def schema(target: type[M], /, **fields: Any) -> Schema[M]:
    """Map documents to ``target`` (a dataclass) with the ``wire()``/``context()`` fields given.

    Fields of ``target`` not given keep their defaults; a required one must be given.
    """
    return Schema(target, fields)


def _dataclass(cls: Any) -> type[Any]:
    if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
        raise TypeError(f"{getattr(cls, '__name__', cls)!r} is not a dataclass")
    return cls


def heads(model: type[Any] | Schema[Any], name: str | None = None) -> type:
    """A ``TypedDict`` (all keys optional) of every wire key ``model``'s mapper reads.

    Decoding a document into it, and mapping that, gives the model the whole document gives,
    except :class:`ExtraOf` views, which must be given a :class:`~omnicloud._docs.PartialDoc`
    to read the rest from. ``"*"`` converters must declare ``reads=``.
    """
    if isinstance(model, Schema):
        specs, label = model.specs, model.target.__name__
    else:
        specs, label = dataclasses.fields(_dataclass(model)), model.__name__
    paths: dict[str, set[str]] = {}
    for spec in specs:
        decl = spec.metadata.get(_WIRE)
        if decl is None or not spec.init:
            continue
        key: str
        if isinstance(decl.key, Part):
            key, reads = decl.key.key, decl.key.reads
        else:
            key, reads = decl.key, decl.reads
        if key != "*":
            paths.setdefault(key, set())
        elif type(decl.conv) is ExtraOf:
            continue
        elif reads is None:
            raise TypeError(f"{label}.{spec.name} reads the whole document: declare reads=")
        else:
            for path in reads:
                top, _, nested = path.partition("[].")
                paths.setdefault(top, set())
                if nested:
                    paths[top].add(nested)
    items: dict[str, Any] = {}
    for wkey, inner in sorted(paths.items()):
        if inner:
            item = _typed_dict(f"{label}_{wkey}", dict.fromkeys(sorted(inner), Any))
            items[wkey] = list[item] | None  # type: ignore[valid-type]
        else:
            items[wkey] = Any
    return _typed_dict(name or f"{label}Head", items)


def _typed_dict(name: str, items: dict[str, Any]) -> type:
    make: Any = TypedDict
    built: type = make(name, items, total=False)
    return built


_UNSET: Any = object()


def _direct(cls: type[Any], specs: tuple[dataclasses.Field[Any], ...]) -> bool:
    """Whether setting the fields on ``object.__new__(cls)`` is exactly what ``cls(...)`` does.

    True for plain (not frozen) dataclasses whose ``__init__`` is the generated one, without
    InitVars, ``init=False`` or required non-wire fields, custom ``__new__``/``__setattr__`` or
    metaclass ``__call__``.
    """
    params = getattr(cls, "__dataclass_params__", None)
    code = getattr(cls.__dict__.get("__init__"), "__code__", None)
    if params is None or not params.init or params.frozen or code is None:
        return False
    hooks: tuple[object, object, object] = (type(cls).__call__, cls.__new__, cls.__setattr__)
    if hooks != (type.__call__, object.__new__, object.__setattr__):
        return False
    if code.co_filename != "<string>":
        return False
    for spec in specs:
        required = spec.default is MISSING and spec.default_factory is MISSING
        if not spec.init or (required and not spec.metadata.keys() & {_WIRE, _CONTEXT}):
            return False
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return list(names) == ["self", *(spec.name for spec in specs)]


class _Source:
    """The generated code for one class: its namespace, statements and context parameters."""

    def __init__(self, cls: type[Any], specs: tuple[dataclasses.Field[Any], ...]) -> None:
        self.specs = specs
        self.direct = _direct(cls, specs)
        self.namespace: dict[str, Any] = {
            "_cls": cls,
            "_new": object.__new__,
            "_Extra": Extra,
            "_str": str,
            "_unset": _UNSET,
        }
        self.lines: list[str] = ["_o = _new(_cls)"] if self.direct else []
        self.args: list[str] = []
        self.groups: dict[tuple[str, Any], str] = {}
        self.params: dict[str, Any] = {}  # context name -> its default (_UNSET: per field)
        for spec in specs:
            if spec.init and _CONTEXT in spec.metadata:
                name = spec.metadata[_CONTEXT] or spec.name
                _check_context_name(name)
                default = spec.default if spec.default is not MISSING else None
                if self.params.setdefault(name, default) is not default:
                    self.params[name] = _UNSET
        for spec in specs:  # context only handed to converters defaults to None
            decl = spec.metadata.get(_WIRE)
            if spec.init and decl is not None:
                using = decl.key.using if isinstance(decl.key, Part) else decl.using
                for name in using:
                    self.params.setdefault(name, None)

    def const(self, prefix: str, index: int, value: Any) -> str:
        name = f"_{prefix}{index}"
        self.namespace[name] = value
        return name

    def target(self, name: str, index: int) -> str:
        """Where the value of field ``name`` goes: the new object, or an ``__init__`` argument."""
        if self.direct:
            return f"_o.{name}"
        self.args.append(f"{name}=_a{index}")
        return f"_a{index}"

    def field(self, spec: dataclasses.Field[Any], index: int) -> None:
        if _CONTEXT in spec.metadata:
            name = spec.metadata[_CONTEXT] or spec.name
            value = name
            if self.params[name] is _UNSET:
                default = spec.default if spec.default is not MISSING else None
                value = f"{self.const('d', index, default)} if {name} is _unset else {name}"
            self.lines.append(f"{self.target(spec.name, index)} = {value}")
            return
        if spec.default_factory is not MISSING:
            fallback = f"{self.const('f', index, spec.default_factory)}()"
        else:
            fallback = self.const("d", index, spec.default)
        if _WIRE not in spec.metadata:
            if self.direct:  # what __init__ would set; otherwise left to __init__
                self.lines.append(f"_o.{spec.name} = {fallback}")
            return
        decl: _Decl = spec.metadata[_WIRE]
        key, conv, using = decl.key, decl.conv, decl.using
        if isinstance(key, Part):
            group = self.group(key, index)
            item = f"{group}[{key.index}]"
            value = item if key.key == "*" else f"{fallback} if {group} is None else {item}"
            self.lines.append(f"{self.target(spec.name, index)} = {value}")
        elif key == "*" and type(conv) is ExtraOf:
            aliases = self.const("x", index, conv.aliases)
            self.lines.append(f"_e = _new(_Extra); _e._doc = _doc; _e._aliases = {aliases}")
            self.lines.append(f"{self.target(spec.name, index)} = _e")
        elif key == "*":
            call = self.call(conv, index, "_doc", using)
            self.lines.append(f"{self.target(spec.name, index)} = {call}")
        elif decl.required:
            value = "_v" if conv is None else self.call(conv, index, "_v", using)
            self.lines.append(f"_v = _doc[{key!r}]")
            self.lines.append(f"{self.target(spec.name, index)} = {value}")
        elif conv is None:
            value = f"{fallback} if (_v := _doc.get({key!r})) is None else _v"
            self.lines.append(f"{self.target(spec.name, index)} = {value}")
        elif isinstance(conv, Mapping) and None not in conv:
            lookup = f"{self.const('c', index, conv.get)}(_doc.get({key!r}), {fallback})"
            self.lines.append(f"{self.target(spec.name, index)} = {lookup}")
        elif isinstance(conv, Mapping):
            lookup = f"{self.const('c', index, conv.get)}(_v, {fallback})"
            value = f"{fallback} if (_v := _doc.get({key!r})) is None else {lookup}"
            self.lines.append(f"{self.target(spec.name, index)} = {value}")
        else:
            target = self.target(spec.name, index)
            converted = self.call(conv, index, "_v", using)
            value = f"{fallback} if (_v := _doc.get({key!r})) is None else {converted}"
            if type(conv) is Lenient:
                errors = self.const("e", index, conv.errors)
                self.lines.extend(["try:", f"    {target} = {value}", f"except {errors}:"])
                self.lines.append(f"    {target} = {self.const('r', index, conv.fallback)}")
            else:
                self.lines.append(f"{target} = {value}")

    def call(self, conv: Any, index: int, arg: str, using: tuple[str, ...] = ()) -> str:
        """``conv(arg, *using)``; ``str`` leaves a str alone, a :class:`Lenient` calls its
        function."""
        if using:
            return f"{self.const('c', index, conv)}({', '.join((arg, *using))})"
        if conv is str:
            return f"({arg} if type({arg}) is _str else _str({arg}))"
        if type(conv) is Lenient:
            return f"{self.const('c', index, conv.fn)}({arg})"
        return f"{self.const('c', index, conv)}({arg})"

    def group(self, part: Part, index: int) -> str:
        ident = (part.key, part.conv)
        name = self.groups.get(ident)
        if name is None:
            name = self.groups[ident] = f"_p{len(self.groups)}"
            conv = self.const("g", index, part.conv)
            extra = "".join(f", {name}" for name in part.using)
            if part.key == "*":
                self.lines.append(f"{name} = {conv}(_doc{extra})")
            else:
                got = f"(_v := _doc.get({part.key!r})) is None"
                self.lines.append(f"{name} = None if {got} else {conv}(_v{extra})")
        return name

    def source(self) -> str:
        body = [*self.lines]
        if self.direct:
            if hasattr(self.namespace["_cls"], "__post_init__"):
                body.append("_o.__post_init__()")
            body.append("return _o")
        else:
            body.append(f"return _cls({', '.join(self.args)})")
        keywords = "*, " if self.params else ""
        keywords += "".join(
            f"{name}={self.const('k', i, value)}, "
            for i, (name, value) in enumerate(self.params.items())
        )
        return "\n".join(
            [
                f"def _map(_doc, /, {keywords}**_ignored):",
                *(f"    {line}" for line in body),
                f"def _bind({keywords}**_ignored):",
                "    def _map1(_doc):",
                *(f"        {line}" for line in body),
                "    return _map1",
                "",
            ]
        )


def _compile(
    cls: type[Any], specs: tuple[dataclasses.Field[Any], ...]
) -> tuple[Callable[..., Any], Callable[..., Callable[[Any], Any]]]:
    """Generate ``_map(doc, /, *, ctx...)`` and ``_bind(*, ctx...) -> _map1(doc)`` for ``cls``."""
    src = _Source(cls, specs)
    for index, spec in enumerate(specs):
        if spec.init:
            src.field(spec, index)
    namespace = src.namespace
    exec(compile(src.source(), f"<wire mapper {cls.__qualname__}>", "exec"), namespace)
    return namespace["_map"], namespace["_bind"]


class Extra(Mapping[str, Any]):
    """A read-only view of a provider document, also answering Libcloud's ``extra`` key names.

    ``aliases`` maps a Libcloud name to ``(wire key, converter)``; other keys read the document
    as is. Nothing is copied or converted until asked for.
    """

    __slots__ = ("_aliases", "_doc")

    def __init__(
        self,
        doc: Mapping[str, Any],
        aliases: Mapping[str, tuple[str, Callable[[Any], Any] | None]],
    ) -> None:
        self._doc = doc
        self._aliases = aliases

    def _whole(self) -> Mapping[str, Any]:
        doc = self._doc
        if isinstance(doc, PartialDoc):  # decoded in part: read (and keep) the whole document
            doc = self._doc = doc.document()
        return doc

    def __getitem__(self, name: str) -> Any:
        doc = self._whole()
        alias = self._aliases.get(name)
        if alias is None:
            return doc[name]
        key, conv = alias
        value = doc.get(key) if key != "*" else doc
        return conv(value) if conv is not None and value is not None else value

    def __iter__(self) -> Iterator[str]:
        doc = self._whole()
        yield from self._aliases
        for key in doc:
            if key not in self._aliases:
                yield key

    def __len__(self) -> int:
        doc = self._whole()
        return len(self._aliases) + sum(1 for key in doc if key not in self._aliases)

    def __repr__(self) -> str:
        return f"Extra({len(self)} keys)"

    @property
    def raw(self) -> Mapping[str, Any]:
        """The provider's document as received."""
        return self._whole()
