"""CloudStack API calls as flows: build and sign, send, unwrap, paginate, wait for jobs.

Nothing here does I/O; :mod:`omnicloud.cloudstack._client` runs these flows sync or async.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from omnicloud._flow import Batch, Emit, Gather
from omnicloud._gc import long_lived
from omnicloud._poll import PollSettings, PollStatus, poll
from omnicloud.errors import (
    CloudStackApiError,
    CloudStackAuthError,
    CloudStackPermissionError,
    CloudStackRateLimitedError,
    JobCancelledError,
    JobError,
    JobFailedError,
    JobPollError,
    MalformedResponseError,
    OmnicloudError,
    ValidationError,
    job_poll_error,
)
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._retry import send_parsed

from ._signing import expires_after, query_string, sign, transform_params

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "JOB_CANCELLED",
    "JOB_FAILED",
    "JOB_PENDING",
    "JOB_SUCCEEDED",
    "CloudStackSettings",
    "PageReader",
    "call",
    "fetch_page",
    "http_date",
    "is_read_command",
    "job_statuses",
    "list_items",
    "parse_retry_after",
    "run_command",
    "wait_for_job",
]

JOB_PENDING, JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED = 0, 1, 2, 3

#: Reads a successful list answer's body as ``(count, items)``, or None to parse it in full.
PageReader = Callable[[bytes], "tuple[int | None, list[Any]] | None"]

# Keyword arguments that steer the client and are never sent as API parameters.
RESERVED = frozenset({"fetch_list", "fetch_result", "headers", "page_size", "on_progress"})

_READ_PREFIXES = ("list", "query", "get", "is", "check")
_LARGE_BODY = 64 * 1024
_JSON = frozenset({"application/json", "text/javascript"})
_RETRY_AFTER = re.compile(r"retry after \[?(\d+(?:\.\d+)?)\]?\s*ms", re.IGNORECASE)
_PAGE_CAP = re.compile(r"max(?:imum)? allowed page size value:?\s*(\d+)", re.IGNORECASE)


class AcceptedJobs:
    """When the server accepted the jobs this client submitted (its Date header), newest kept.

    A caller that submits with one call and waits with another (``deployVirtualMachine`` then
    ``wait_for_job(jobid)``) still gets a dated wait, so coalesced checks can list its jobs
    from the right moment instead of asking for each one on its own.
    """

    __slots__ = ("_dates", "limit")

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._dates: dict[str, float] = {}

    def note(self, job_id: str, accepted_at: float | None) -> None:
        """Remember ``job_id``'s acceptance time (forgetting the oldest past the limit)."""
        if accepted_at is None:
            return
        self._dates[job_id] = accepted_at
        if len(self._dates) > self.limit:
            del self._dates[next(iter(self._dates))]

    def get(self, job_id: str) -> float | None:
        """The server's clock when it accepted ``job_id``, if this client submitted it."""
        return self._dates.get(job_id)


@dataclass(slots=True)
class CloudStackSettings:
    """Everything a CloudStack call needs besides the transport."""

    endpoint: str
    key: str = field(repr=False)
    secret: str = field(repr=False)
    method: str = "get"
    expiration: float = 600.0
    page_size: int = 500
    poll: PollSettings = field(default_factory=PollSettings)
    fetch_result: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_get_length: int = 2000
    concurrency: int = 4
    accepted: AcceptedJobs = field(default_factory=AcceptedJobs, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.endpoint or not self.endpoint.startswith(("http://", "https://")):
            raise ValidationError(
                f"CloudStack endpoint must be an http(s) URL such as "
                f"https://cloud.example.com/client/api, got {self.endpoint!r}"
            )
        if not self.key or not self.secret:
            raise ValidationError("CloudStack needs both an API key and a secret key")
        if self.method.lower() not in {"get", "post"}:
            raise ValidationError(f"method must be 'get' or 'post', got {self.method!r}")
        if self.page_size < 1:
            raise ValidationError("page_size must be at least 1")


def is_read_command(command: str) -> bool:
    """Whether ``command`` only reads (safe to retry): list*, query*, get*, ..."""
    return command.startswith(_READ_PREFIXES)


def parse_retry_after(response: HttpResponse) -> float | None:
    """Seconds to wait from CloudStack's 429 text "... please retry after [N] ms."."""
    match = _RETRY_AFTER.search(response.text)
    return float(match.group(1)) / 1000.0 if match else None


def build_request(
    settings: CloudStackSettings,
    command: str,
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    """The signed request for ``command``; POST when asked or when GET would be too long."""
    if not command or not command.isidentifier():
        raise ValidationError(f"not a CloudStack command name: {command!r}")
    flat = transform_params(params)
    flat.pop("signature", None)
    flat.update(apiKey=settings.key, command=command, response="json")
    has_expiry = any(name.lower() == "expires" for name in flat)
    if settings.expiration >= 0 and not has_expiry:
        flat["signatureVersion"] = "3"
        flat["expires"] = expires_after(settings.expiration)
    flat["signature"] = sign(flat, settings.secret)
    pairs = list(flat.items())
    query = query_string(pairs)
    post = settings.method.lower() == "post" or len(query) > settings.max_get_length
    # a GET carries its query in the URL, encoded once here: handing httpx the pairs as params
    # makes it re-validate the query character by character (a tenth of a request's CPU)
    separator = "&" if "?" in settings.endpoint else "?"
    return HttpRequest(
        method="POST" if post else "GET",
        url=settings.endpoint if post else f"{settings.endpoint}{separator}{query}",
        form=pairs if post else None,
        headers={**(headers or {}), **settings.headers},
        operation=f"CloudStack {command}",
        idempotent=is_read_command(command),
    )


def unwrap(command: str, response: HttpResponse, endpoint: str) -> Any:
    """The body under the single ``...response`` key, or the matching error."""
    if response.content_type not in _JSON:
        hint = "; check that the endpoint URL points at the CloudStack API (…/client/api)"
        raise MalformedResponseError(
            f"{command}: HTTP {response.status} from {endpoint} is "
            f"{response.content_type or 'untyped'}, not JSON{hint}",
            status=response.status,
            excerpt=response.excerpt(),
        )
    if len(response.content) > _LARGE_BODY:
        with long_lived():  # a list page: tens of thousands of containers that all survive
            document = response.json()
    else:
        document = response.json()
    if not isinstance(document, dict) or len(document) != 1:
        shape = f"keys {sorted(document)[:5]}" if isinstance(document, dict) else "no object"
        raise MalformedResponseError(
            f"{command}: expected one '...response' object, got {shape}",
            status=response.status,
            excerpt=response.excerpt(),
        )
    (body,) = document.values()
    if response.status >= 300:
        raise api_error(command, response.status, body if isinstance(body, dict) else {})
    return body


def api_error(command: str, status: int, body: Mapping[str, Any]) -> CloudStackApiError:
    """The exception for an error answer ``body`` with HTTP ``status``."""
    errorcode = _as_int(body.get("errorcode")) or status
    cserrorcode = _as_int(body.get("cserrorcode"))
    errortext = str(body.get("errortext") or "")
    message = f"{command}: HTTP {status}"
    if cserrorcode is not None:
        message += f" (error {errorcode}, cserror {cserrorcode})"
    message += f": {errortext or 'no error text'}"
    kwargs: dict[str, Any] = {
        "status": status,
        "errorcode": errorcode,
        "cserrorcode": cserrorcode,
        "errortext": errortext,
        "command": command,
        "error": dict(body),
    }
    if status == 401:
        return CloudStackAuthError(
            message + " (CloudStack also answers 401 when the command name does not exist "
            "or is not allowed for this account; check the spelling)",
            **kwargs,
        )
    if status == 531:
        return CloudStackPermissionError(message, **kwargs)
    if status == 429:
        match = _RETRY_AFTER.search(errortext)
        wait = float(match.group(1)) / 1000.0 if match else None
        return CloudStackRateLimitedError(message, retry_after=wait, **kwargs)
    return CloudStackApiError(message, **kwargs)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def call(
    settings: CloudStackSettings,
    command: str,
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> Flow[Any]:
    """One API call: send (with safe retries) and unwrap."""
    request = build_request(settings, command, params, headers)
    return (
        yield from send_parsed(
            request,
            settings.retry,
            lambda response: unwrap(command, response, settings.endpoint),
            parse_retry_after,
        )
    )


def fetch_page(
    settings: CloudStackSettings,
    command: str,
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    reader: PageReader | None = None,
) -> Flow[tuple[int | None, list[Any]]]:
    """One page of a list command as ``(count, items)``.

    ``reader`` (see :class:`~omnicloud.cloudstack._heads.HeadReader`) reads a successful JSON
    answer its own way; when it returns None, or for any other answer, the page is parsed in full.
    """
    request = build_request(settings, command, params, headers)

    def parse(response: HttpResponse) -> tuple[int | None, list[Any]]:
        if reader is not None and response.status == 200 and response.content_type in _JSON:
            page = reader(response.content)
            if page is not None:
                return page
        return _split_page(command, unwrap(command, response, settings.endpoint))

    return (yield from send_parsed(request, settings.retry, parse, parse_retry_after))


def job_status(
    settings: CloudStackSettings, job_id: str, headers: Mapping[str, str] | None = None
) -> Flow[PollStatus]:
    """One ``queryAsyncJobResult``: done with the job's result, or a failure raised."""
    job = yield from call(settings, "queryAsyncJobResult", {"jobid": job_id}, headers)
    return job_outcome(job_id, job)


def job_outcome(job_id: str, job: Any) -> PollStatus:
    """A job document (``queryAsyncJobResult`` or ``listAsyncJobs``) as a poll status.

    Pending: not done. Succeeded: done with ``jobresult``. Failed or cancelled: the matching
    :class:`JobFailedError` or :class:`JobCancelledError` is raised.
    """
    if not isinstance(job, dict):
        raise MalformedResponseError(f"queryAsyncJobResult {job_id}: unexpected answer")
    status = _as_int(job.get("jobstatus"))
    if status == JOB_PENDING:
        return PollStatus(done=False, progress=job)
    result = job.get("jobresult")
    if status == JOB_SUCCEEDED and not _as_int(job.get("jobresultcode")):
        return PollStatus(done=True, value=result, progress=job)
    details = result if isinstance(result, dict) else {}
    errortext = str(details.get("errortext") or "")
    errorcode = _as_int(details.get("errorcode")) or _as_int(job.get("jobresultcode"))
    kind = JobCancelledError if status == JOB_CANCELLED else JobFailedError
    verb = "was cancelled" if status == JOB_CANCELLED else "failed"
    raise kind(
        f"job {job_id} ({job.get('cmd', 'unknown command')}) {verb}"
        + (f": {errortext}" if errortext else "")
        + (f" (error {errorcode})" if errorcode else ""),
        job_id=job_id,
        result=job,
        errorcode=errorcode,
        errortext=errortext,
    )


# A batched status check reads at most this many pages of the account's job listing.
MAX_JOB_PAGES = 10
# ... and reads on only while the listing has at most this many jobs left per job it still
# looks for; past that, the jobs not yet seen are asked for one by one (queryAsyncJobResult).
LIST_FACTOR = 10
# The smallest listAsyncJobs page asked for (a few waits still get a useful first page).
MIN_JOB_PAGE = 50
# Listings start this long before the earliest job waited for: before its ``created`` time
# once seen (whole seconds, compared with >=), before the server's Date header on the submit
# answer (whole seconds, possibly stamped by a front server), or, with no server time known,
# before our own clock (any clock skew; the budget above bounds what that costs).
CREATED_MARGIN = 2.0
DATE_MARGIN = 5.0
JOB_LIST_MARGIN = 600.0


@dataclass(slots=True, eq=False)
class JobWait:
    """One job being waited for, and what is known of when it was created.

    ``since`` is our wall clock when the wait began; ``server_since`` the server's clock when it
    accepted the job (its Date header), when known; ``created`` the job's own ``created`` time,
    noted from the first status answer that shows it.
    """

    job_id: str
    since: float
    server_since: float | None = None
    created: float | None = None

    def listed_from(self) -> float:
        """The earliest ``startdate`` (server clock) that surely lists this job."""
        if self.created is not None:
            return self.created - CREATED_MARGIN
        if self.server_since is not None:
            return self.server_since - DATE_MARGIN
        return self.since - JOB_LIST_MARGIN

    def dated(self) -> bool:
        """Whether the job's time on the server's clock is known (its creation or acceptance)."""
        return self.created is not None or self.server_since is not None

    def note(self, job: Any) -> None:
        """Remember the job's ``created`` time from a job document."""
        if self.created is None and isinstance(job, dict):
            self.created = cloudstack_time(job.get("created"))


def cloudstack_time(value: Any) -> float | None:
    """A CloudStack date (``2023-04-13T08:03:25+0000``) as a POSIX timestamp, or None."""
    if not isinstance(value, str):
        return None
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def http_date(value: str | None) -> float | None:
    """An HTTP ``Date`` header (``Sun, 06 Nov 1994 08:49:37 GMT``) as a timestamp, or None."""
    if not value:
        return None
    from datetime import UTC, datetime

    try:
        _weekday, day, month, year, clock, zone = value.split()
        hour, minute, second = clock.split(":")
        if zone != "GMT":
            return None
        moment = datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except (KeyError, ValueError):
        return None
    return moment.timestamp()


def job_statuses(
    settings: CloudStackSettings,
    waits: Sequence[JobWait],
    headers: Mapping[str, str] | None = None,
) -> Flow[list[Any]]:
    """The status of several jobs at once: one outcome per wait (a PollStatus or a job error).

    One job: one ``queryAsyncJobResult``, exactly as an unbatched poll. Several: the caller's
    jobs created since just before the earliest of them are listed with ``listAsyncJobs``
    (when some jobs' times on the server's clock are known, a job without one, whose submit
    answer had no Date header and whose status was never seen, is asked for on its own once)
    (CloudStack returns the same fields as ``queryAsyncJobResult``, oldest first), reading only
    the pages needed and stopping early when the listing holds far more jobs than are waited for
    (:data:`LIST_FACTOR`); the jobs not found there (another account's, a project's, outside the
    listing, or a server whose listing lacks the result) are asked for one by one with
    ``queryAsyncJobResult``. So a check costs requests and items bounded by the number of jobs
    waited for, not by the account's job history. A refused listing falls back to the one-by-one
    queries. Transport failures are raised.
    """
    if len(waits) == 1:
        status = yield from job_status(settings, waits[0].job_id, headers)
        waits[0].note(status.progress)
        return [status]
    # a job whose time on the server's clock is unknown (no Date header, no answer seen yet)
    # makes a listing start ten minutes back: when the others' times are known, it is asked
    # for on its own once instead of widening their listing
    dated = [wait for wait in waits if wait.dated()]
    listed = dated or waits
    found: dict[str, Any] = {}
    if len(listed) > 1:
        wanted = {wait.job_id for wait in listed}
        since = min(wait.listed_from() for wait in listed)
        # a refused or odd listing: ask for every job not yet seen
        with contextlib.suppress(CloudStackApiError, MalformedResponseError):
            yield from _find_jobs(settings, wanted, found, since, headers)
    outcomes: dict[str, Any] = {}
    for job_id, job in found.items():
        if _as_int(job.get("jobstatus")) != JOB_PENDING and "jobresult" not in job:
            continue  # finished, but this server lists jobs without their results
        try:
            outcomes[job_id] = job_outcome(job_id, job)
        except (JobError, MalformedResponseError) as exc:
            outcomes[job_id] = exc
    missing = [
        job_id for job_id in dict.fromkeys(wait.job_id for wait in waits) if job_id not in outcomes
    ]
    if missing:
        checks = [_job_outcome_or_error(settings, job_id, headers) for job_id in missing]
        answers = yield Gather(checks, limit=settings.concurrency)
        outcomes.update(zip(missing, answers, strict=True))
    for wait in waits:
        outcome = outcomes[wait.job_id]
        wait.note(found.get(wait.job_id) or getattr(outcome, "progress", None))
    return [outcomes[wait.job_id] for wait in waits]


def _find_jobs(
    settings: CloudStackSettings,
    wanted: set[str],
    found: dict[str, Any],
    since: float,
    headers: Mapping[str, str] | None,
) -> Flow[None]:
    """Fill ``found`` with the wanted jobs ``listAsyncJobs`` shows, reading only pages needed.

    Pages hold about :data:`LIST_FACTOR` jobs per wanted job. The listing is read forward from
    its first page while the jobs left to read are at most :data:`LIST_FACTOR` per wanted job
    not yet seen; past that (a busy account's other jobs in front), it is read backward from its
    last page, where the jobs just submitted are, for about one page's worth. Reading stops once
    every wanted job is seen, at either end, or after :data:`MAX_JOB_PAGES` pages.
    """
    start = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(max(0.0, since)))
    size = min(settings.page_size, max(MIN_JOB_PAGE, LIST_FACTOR * len(wanted)))
    page, pages, read = 1, 0, 0
    backward_from: int | None = None  # the first page not read forward, once reading backward
    while pages < MAX_JOB_PAGES:
        params = {"startdate": start, "page": page, "pagesize": size}
        try:
            count, items = yield from fetch_page(settings, "listAsyncJobs", params, headers)
        except CloudStackApiError as exc:
            cap = _PAGE_CAP.search(exc.errortext)
            if exc.status == 431 and cap and 0 < int(cap.group(1)) < size and pages == 0:
                size = int(cap.group(1))
                continue
            raise
        pages += 1
        for job in items:
            job_id = job.get("jobid") if isinstance(job, dict) else None
            if job_id in wanted:
                found[job_id] = job
        missing = len(wanted) - len(found)
        if not missing:
            return
        if backward_from is not None:
            read += len(items)
            page -= 1
            if page < backward_from or read >= LIST_FACTOR * len(wanted):
                return
            continue
        read += len(items)
        if len(items) < size or (count is not None and read >= count):
            return
        if count is not None and count - read > LIST_FACTOR * missing:
            # the jobs waited for were most likely submitted last: read from the listing's end
            backward_from, page, read = page + 1, -(-count // size), 0
            continue
        page += 1


def _job_outcome_or_error(
    settings: CloudStackSettings, job_id: str, headers: Mapping[str, str] | None
) -> Flow[Any]:
    """One job's outcome; its own failure (job error, HTTP error) is returned, not raised."""
    try:
        status = yield from job_status(settings, job_id, headers)
    except OmnicloudError as exc:
        return exc
    return status


def _batched_status(
    settings: CloudStackSettings, wait: JobWait, headers: Mapping[str, str] | None
) -> Flow[PollStatus]:
    """One job's status check, coalesced with the concurrent checks of the same client."""
    key = ("cloudstack-jobs", id(settings), tuple(sorted((headers or {}).items())))
    status: PollStatus = yield Batch(
        key, wait, lambda waits: job_statuses(settings, waits, headers)
    )
    return status


def wait_for_job(
    settings: CloudStackSettings,
    job_id: str,
    *,
    headers: Mapping[str, str] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    what: str | None = None,
    resource_id: str | None = None,
    command: str | None = None,
    accepted_at: float | None = None,
) -> Flow[Any]:
    """Poll a job until it ends; return its ``jobresult`` or raise a job error.

    Each check is a :class:`~omnicloud._flow.Batch`: run by the async runner, the checks of all
    jobs waited for at the same moment become one ``listAsyncJobs`` request. Any other failure
    while waiting (the connection, a malformed answer, an error answer to the poll) is raised
    as a :class:`~omnicloud.errors.JobPollError` naming ``job_id`` (and ``resource_id``, the
    resource the job works on, when known), so the caller can wait again instead of submitting
    twice. ``accepted_at`` is the server's clock when it accepted the job, when known.
    """
    if accepted_at is None:
        accepted_at = settings.accepted.get(job_id)
    wait = JobWait(job_id, time.time(), server_since=accepted_at)
    try:
        result = yield from poll(
            lambda: _batched_status(settings, wait, headers),
            settings.poll,
            what=what or f"job {job_id}",
            job_id=job_id,
            on_progress=on_progress,
        )
    except JobError as exc:
        if exc.resource_id is None:
            exc.resource_id = resource_id
        raise
    except JobPollError:
        raise
    except OmnicloudError as exc:
        raise job_poll_error(exc, job_id, resource_id=resource_id, command=command) from exc
    return result


def _split_page(command: str, body: Any) -> tuple[int | None, list[Any]]:
    if not isinstance(body, dict):
        raise MalformedResponseError(f"{command}: a list answer must be an object")
    count = _as_int(body.get("count"))
    keys = [key for key in body if key != "count"]
    if not keys:
        return count, []
    if len(keys) > 1:
        raise MalformedResponseError(f"{command}: list answer has several item keys {keys}")
    items = body[keys[0]]
    if not isinstance(items, list):
        raise MalformedResponseError(f"{command}: '{keys[0]}' is not a list")
    return count, items


def list_items(
    settings: CloudStackSettings,
    command: str,
    params: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    page_size: int | None = None,
    concurrency: int = 1,
    reader: PageReader | None = None,
) -> Flow[None]:
    """Emit every item of a paginated list command, page by page.

    Stops on ``count``, on an empty page, and on a short page. When the server refuses the page
    size (431 with its maximum), that maximum is used from then on. With ``concurrency`` above one
    and the total known after the first page, the remaining pages are fetched concurrently and
    still emitted in order.
    """
    base = {k: v for k, v in params.items() if k.lower() not in {"page", "pagesize"}}
    size = page_size or _user_page_size(params) or settings.page_size
    page, seen = 1, 0
    previous_first: Any = None
    while True:
        try:
            count, items = yield from fetch_page(
                settings, command, {**base, "page": page, "pagesize": size}, headers, reader
            )
        except CloudStackApiError as exc:
            cap = _PAGE_CAP.search(exc.errortext)
            if exc.status == 431 and cap and 0 < int(cap.group(1)) < size and seen == 0:
                size = int(cap.group(1))
                continue
            raise
        if not items:
            return
        if page > 1 and items[0] == previous_first:
            raise MalformedResponseError(f"{command}: the server returned page {page} twice")
        previous_first = items[0]
        yield Emit(items)
        seen += len(items)
        short = len(items) < size
        del items  # consumed: freed now, while warm, rather than after the next page is built
        if seen >= count if count is not None else short:
            return
        page += 1
        if concurrency > 1 and count is not None:
            remaining = math.ceil((count - seen) / size)
            pages = [
                _page(settings, command, base, number, size, headers, reader)
                for number in range(page, page + remaining)
            ]
            for items in (yield Gather(pages, limit=concurrency)):
                if items:
                    yield Emit(items)
            return


def _page(
    settings: CloudStackSettings,
    command: str,
    base: Mapping[str, Any],
    page: int,
    size: int,
    headers: Mapping[str, str] | None,
    reader: PageReader | None,
) -> Flow[list[Any]]:
    page_params = {**base, "page": page, "pagesize": size}
    _count, items = yield from fetch_page(settings, command, page_params, headers, reader)
    return items


def _user_page_size(params: Mapping[str, Any]) -> int | None:
    for name, value in params.items():
        if name.lower() == "pagesize" and value is not None:
            size = _as_int(value)
            if size is None or size < 1:
                raise ValidationError(f"pagesize must be a positive integer, got {value!r}")
            return size
    return None


def run_command(
    settings: CloudStackSettings,
    command: str,
    params: Mapping[str, Any],
    *,
    fetch_result: bool | None = None,
    headers: Mapping[str, str] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    convert: Callable[[Any], Any] | None = None,
) -> Flow[Any]:
    """A call that, for async commands and when asked, waits for the job and returns its result.

    Once the job is accepted, every failure names it (see :func:`wait_for_job`), including one
    from ``convert``, applied to the job's result (a driver building its model).
    """
    request = build_request(settings, command, params, headers)
    body, date = yield from send_parsed(
        request,
        settings.retry,
        lambda response: (
            unwrap(command, response, settings.endpoint),
            response.headers.get("date"),
        ),
        parse_retry_after,
    )
    wait = settings.fetch_result if fetch_result is None else fetch_result
    if not (isinstance(body, dict) and "jobid" in body):
        return body if convert is None else convert(body)
    job_id = str(body["jobid"])
    accepted_at = http_date(date)
    if not wait:
        settings.accepted.note(job_id, accepted_at)
        return body if convert is None else convert(body)
    resource_id = str(body["id"]) if body.get("id") is not None else None
    result = yield from wait_for_job(
        settings,
        job_id,
        headers=headers,
        on_progress=on_progress,
        what=f"{command} job {job_id}",
        resource_id=resource_id,
        command=command,
        accepted_at=accepted_at,
    )
    if convert is None:
        return result
    try:
        return convert(result)
    except OmnicloudError as exc:
        raise job_poll_error(exc, job_id, resource_id=resource_id, command=command) from exc
