"""List filters as Compute reads them: ``name = "web-*"``, ``status != TERMINATED``,
``labels.env = prod``, ``(a = 1) AND (b = 2)``, ``OR``, ``:`` (has), and the regular-expression
form ``name eq web-.*`` / ``status ne RUNNING``."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

from ._errors import invalid

__all__ = ["compile_filter"]

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(r'\s*(\(|\)|"(?:[^"\\]|\\.)*"|!=|=|:|[^\s()=!:"]+)')
_REGEX_FORM = re.compile(r'\s*([A-Za-z_][\w.]*)\s+(eq|ne)\s+("(?:[^"\\]|\\.)*"|\S+)')


def _error(text: str) -> Exception:
    return invalid(f"Invalid list filter expression '{text}'.")


def _values(doc: Any, path: list[str]) -> list[str]:
    """The field's values as strings (lists fan out; booleans as ``true``/``false``)."""
    current: list[Any] = [doc]
    for key in path:
        following: list[Any] = []
        for item in current:
            items = item if isinstance(item, list) else [item]
            for each in items:
                if isinstance(each, dict) and key in each:
                    following.append(each[key])
        current = following
    out: list[str] = []
    for value in current:
        for each in value if isinstance(value, list) else [value]:
            if isinstance(each, bool):
                out.append("true" if each else "false")
            elif isinstance(each, (str, int, float)):
                out.append(str(each))
    return out


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _compare(field: str, op: str, raw: str) -> Predicate:
    path = field.split(".")
    value = _unquote(raw)
    if op in ("eq", "ne"):
        try:
            pattern = re.compile(value)
        except re.error:
            raise invalid(f"Invalid regular expression '{value}' in list filter.") from None
        positive = op == "eq"
        return lambda doc: any(pattern.fullmatch(v) for v in _values(doc, path)) == positive
    if op == ":" and value == "*":
        return lambda doc: bool(_values(doc, path))

    def matches(candidate: str) -> bool:
        if "*" in value:
            return fnmatch.fnmatchcase(candidate, value.replace("[", "[[]"))
        return candidate == value

    if op == "!=":
        return lambda doc: not any(matches(v) for v in _values(doc, path))
    return lambda doc: any(matches(v) for v in _values(doc, path))


def _regex_form(text: str) -> Predicate | None:
    position, terms = 0, []
    while position < len(text.rstrip()):
        match = _REGEX_FORM.match(text, position)
        if match is None:
            return None
        terms.append(_compare(match.group(1), match.group(2), match.group(3)))
        position = match.end()
    if not terms:
        return None
    return lambda doc: all(term(doc) for term in terms)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[str] = []
        position = 0
        while text[position:].strip():
            match = _TOKEN.match(text, position)
            if match is None:
                raise _error(text)
            self.tokens.append(match.group(1))
            position = match.end()
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _error(self.text)
        self.index += 1
        return token

    def disjunction(self) -> Predicate:
        terms = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            terms.append(self.conjunction())
        if len(terms) == 1:
            return terms[0]
        return lambda doc: any(term(doc) for term in terms)

    def conjunction(self) -> Predicate:
        terms = [self.term()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            terms.append(self.term())
        if len(terms) == 1:
            return terms[0]
        return lambda doc: all(term(doc) for term in terms)

    def term(self) -> Predicate:
        token = self.take()
        if token == "NOT":
            inner = self.term()
            return lambda doc: not inner(doc)
        if token == "(":
            inner = self.disjunction()
            if self.take() != ")":
                raise _error(self.text)
            return inner
        if token in ("=", "!=", ":", ")") or token.startswith('"'):
            raise _error(self.text)
        op = self.take()
        if op not in ("=", "!=", ":"):
            raise _error(self.text)
        value = self.take()
        if value in ("(", ")", "=", "!=", ":"):
            raise _error(self.text)
        return _compare(token, op, value)


def compile_filter(text: str | None) -> Predicate | None:
    """A predicate over rendered documents for a ``filter`` parameter (None: no filter)."""
    if text is None or not text.strip():
        return None
    regex = _regex_form(text)
    if regex is not None:
        return regex
    parser = _Parser(text)
    predicate = parser.disjunction()
    if parser.peek() is not None:
        raise _error(text)
    return predicate
