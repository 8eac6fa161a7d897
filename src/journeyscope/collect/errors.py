"""What collection refuses, as typed errors carrying their HTTP status.

The server maps ``http_status`` to its answer; none of these is raised after a request was
acknowledged, so a client that sees one may (and should) send the same events again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from journeyscope.errors import JourneyScopeError, Location


class PayloadTooLarge(JourneyScopeError, ValueError):
    """A message over 32 KB or a batch over 500 KB (Segment's limits)."""

    code = "payload_too_large"
    http_status: ClassVar[int] = 413
    exit_code: ClassVar[int] = 2


class DiskFull(JourneyScopeError, OSError):
    """The collection log cannot take the events durably: refused before acknowledging."""

    code = "disk_full"
    http_status: ClassVar[int] = 503
    exit_code: ClassVar[int] = 4


class CollectorBusy(JourneyScopeError, RuntimeError):
    """The loader is too far behind the log: the client should retry after ``retry_after``."""

    code = "collector_busy"
    http_status: ClassVar[int] = 429
    exit_code: ClassVar[int] = 5

    def __init__(self, retry_after: int, lag: int) -> None:
        super().__init__(
            f"the collector is busy ({lag} events wait to be stored); retry in {retry_after} s",
            f"bộ thu đang bận ({lag} sự kiện chờ lưu); hãy thử lại sau {retry_after} giây",
            hint_en="send the same events again after the Retry-After delay",
            hint_vi="gửi lại đúng các sự kiện đó sau thời gian Retry-After",
        )
        self.retry_after = retry_after
        self.lag = lag


@dataclass(frozen=True)
class EventProblem:
    """Why one message of a request was refused (its index in the batch, 0 for one call)."""

    index: int
    message_id: str | None
    field: str
    reason: str
    reason_vi: str = ""

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """One entry of the 400's list, its reason in ``lang`` (``en`` or ``vi``)."""
        return {
            "index": self.index,
            "messageId": self.message_id,
            "field": self.field,
            "reason": (self.reason_vi or self.reason) if lang == "vi" else self.reason,
        }


class InvalidEvents(JourneyScopeError, ValueError):
    """Some messages of a request failed validation; the others were accepted."""

    code = "invalid_events"
    http_status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 2

    def __init__(self, problems: list[EventProblem], accepted: int) -> None:
        first = problems[0]
        super().__init__(
            f"{len(problems)} event(s) refused ({accepted} accepted); "
            f"first: #{first.index} {first.field}: {first.reason}",
            f"{len(problems)} sự kiện bị từ chối ({accepted} được nhận); "
            f"đầu tiên: #{first.index} {first.field}: {first.reason_vi or first.reason}",
            location=Location(line=first.index, field=first.field),
            hint_en="fix the listed events and send only them again",
            hint_vi="sửa các sự kiện được liệt kê và chỉ gửi lại chúng",
        )
        self.problems = problems
        self.accepted = accepted
