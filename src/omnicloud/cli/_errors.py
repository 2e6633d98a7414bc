"""Exit codes and one-line error messages, shared by every command (no click needed)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from omnicloud.errors import (
    CloudStackApiError,
    ConfigurationError,
    JobError,
    JobPollError,
    OmnicloudError,
    ValidationError,
)

__all__ = ["EXIT_OK", "EXIT_PROVIDER", "EXIT_USAGE", "CliUsageError", "guarded", "resume_hint"]

EXIT_OK, EXIT_PROVIDER, EXIT_USAGE = 0, 1, 2


class CliUsageError(Exception):
    """Bad command-line usage: exit status 2."""


def _detail(error: OmnicloudError) -> object:
    if isinstance(error, CloudStackApiError) and error.error:
        return error.error
    if isinstance(error, JobError) and isinstance(error.result, dict):
        return error.result
    return None


def resume_hint(error: JobPollError, program: str = "omnicloud") -> str:
    """The line telling how to wait again for the job ``error`` names (``program`` is the
    command line up to the subcommand, e.g. ``omnicloud --cloud prod``)."""
    made = f" (resource {error.resource_id})" if error.resource_id else ""
    return (
        f"Job {error.job_id}{made} was accepted and may still finish; do not submit it again. "
        f"Wait for it with: {program} jobs wait {error.job_id}"
    )


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def guarded(
    action: Callable[[], int | None],
    *,
    trace: bool = False,
    usage: str = "",
    details: bool = True,
) -> int:
    """Run ``action`` and turn failures into an exit status and one clear line on stderr.

    Usage and configuration errors exit 2; provider and transport errors exit 1, followed (when
    ``details``, or with ``trace``) by the provider's error document as JSON when there is one.
    ``trace`` adds the traceback.
    """
    try:
        return action() or EXIT_OK
    except CliUsageError as exc:
        if usage:
            _say(usage)
        _say(f"Error: {exc}")
        return EXIT_USAGE
    except (ConfigurationError, ValidationError) as exc:
        _say(f"Error: {exc}")
        _traceback(trace)
        return EXIT_USAGE
    except OmnicloudError as exc:
        _say(f"Error: {exc}")
        if isinstance(exc, JobPollError):
            _say(resume_hint(exc))
        detail = _detail(exc) if details or trace else None
        if detail is not None:
            _say(json.dumps(detail, indent=2, sort_keys=True))
        _traceback(trace)
        return EXIT_PROVIDER
    except KeyboardInterrupt:
        _say("Interrupted.")
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _traceback(trace: bool) -> None:
    if trace:
        import traceback

        traceback.print_exc(file=sys.stderr)
