"""The fast way through a batch: Segment messages decoded from JSON by msgspec, in C.

``segment.parse_body`` validates each message of a batch with the pydantic model
``segment.Message`` — about 12 µs a message in Python, most of a request's time at tens of
thousands of events a second. The structs here read the same fields, straight from the
body's bytes (``msgspec.json.decode``, ~1 µs a message), and hold them under the same
attribute names, so ``segment.to_row`` maps either.

They are a shortcut, never a second judge: they accept a subset of what ``Message``
accepts, with the same values (``tests/collect/test_structs.py`` holds the two equal on
random messages). Whatever they do not take — a type they do not read, a time with more
than microseconds, a shared batch ``context``, a message that would be refused — goes the
pydantic way, which stores it or says why not exactly as before.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

import msgspec

Kind = Literal["track", "identify", "page", "screen", "alias", "group"]

#: A time with more than six digits of seconds: msgspec rounds them, pydantic cuts them.
NANOS = re.compile(rb":\d\d[.,]\d{7}")
#: A digit, ``.``, ``,`` or ``:`` written as an escape (``\u002e``): a time so written would
#: hide from :data:`NANOS`, so such a body goes the pydantic way whole. (Go's encoder
#: escapes ``<``, ``>`` and ``&``, not these: its batches keep the fast way.)
ESCAPED = re.compile(rb"\\u00(?:2[cCeE]|3[0-9aA])")


def id_text(value: object) -> object:
    """Segment libraries send ids as text, some clients as numbers: both are the same id."""
    if isinstance(value, bool):
        raise ValueError("an id must be text or a number")
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def missing(kind: str | None, message: Any) -> str | None:
    """Why a message lacks what its call type needs (``field: reason``), or None."""
    if kind == "track" and not (message.event or "").strip():
        return "event: a track call needs an event name"
    if kind == "alias" and not (message.previous_id and message.user_id):
        return "previousId: an alias call needs previousId and userId"
    if kind == "group" and not message.group_id:
        return "groupId: a group call needs a groupId"
    if not (message.user_id or message.anonymous_id):
        return "userId: every call needs a userId or an anonymousId"
    return None


class Campaign(msgspec.Struct):
    name: str | None = None
    source: str | None = None
    medium: str | None = None
    term: str | None = None
    content: str | None = None


class PageContext(msgspec.Struct):
    path: str | None = None
    referrer: str | None = None
    url: str | None = None
    title: str | None = None


class Context(msgspec.Struct):
    campaign: Campaign | None = None
    page: PageContext | None = None
    channel: str | None = None
    traits: dict[str, Any] | None = None
    device: dict[str, Any] | None = None


class Message(msgspec.Struct, rename="camel"):
    """One message of a batch, as ``segment.Message`` holds it once valid."""

    type: Kind | None = None
    message_id: str | int | float | None = None
    anonymous_id: str | int | float | None = None
    user_id: str | int | float | None = None
    previous_id: str | int | float | None = None
    group_id: str | int | float | None = None
    event: str | None = None
    name: str | None = None
    category: str | None = None
    properties: dict[str, Any] | None = None
    traits: dict[str, Any] | None = None
    context: Context | None = None
    timestamp: datetime | None = None
    original_timestamp: datetime | None = None
    sent_at: datetime | None = None
    write_key: str | None = None

    def __post_init__(self) -> None:
        # ids as text, trimmed (``id_text``); text already trimmed is the usual id, left as
        # it is — written out per field: a loop of getattr/setattr cost a tenth of a parse
        # (``is not None`` first: most of these ids are absent, and a call costs more)
        if (value := self.message_id) is not None and _untidy(value):
            self.message_id = _tidy(value)
        if (value := self.anonymous_id) is not None and _untidy(value):
            self.anonymous_id = _tidy(value)
        if (value := self.user_id) is not None and _untidy(value):
            self.user_id = _tidy(value)
        if (value := self.previous_id) is not None and _untidy(value):
            self.previous_id = _tidy(value)
        if (value := self.group_id) is not None and _untidy(value):
            self.group_id = _tidy(value)
        why = missing(self.type, self)
        if why is not None:
            raise ValueError(why)


def _untidy(value: Any) -> bool:
    """An id to make text and trim: not None, and not already trimmed non-empty text."""
    return value is not None and (
        value.__class__ is not str or not value or value[0].isspace() or value[-1].isspace()
    )


def _tidy(value: Any) -> Any:
    """The id as :func:`id_text` makes it (text, trimmed; None when blank), typed as the
    id fields hold it (``id_text`` takes and gives any object, for pydantic too)."""
    return id_text(value)


NOTHING = msgspec.Raw()


class Envelope(msgspec.Struct):
    """A batch body: its messages left as raw JSON, each decoded on its own."""

    batch: list[msgspec.Raw]
    context: msgspec.Raw = NOTHING  # empty when absent
    sentAt: msgspec.Raw = NOTHING  # noqa: N815 - Segment's field name
    writeKey: Any = None  # noqa: N815


_envelope = msgspec.json.Decoder(Envelope)
_message = msgspec.json.Decoder(Message)
_time = msgspec.json.Decoder(datetime | None)
_any = msgspec.json.Decoder()
ERRORS = (msgspec.DecodeError, msgspec.ValidationError)


def envelope(body: bytes) -> Envelope | None:
    """The batch's envelope, or None when the body must go the pydantic way."""
    if NANOS.search(body) or ESCAPED.search(body):
        return None
    try:
        found = _envelope.decode(body)
    except ERRORS:
        return None
    if bytes(found.context).strip() not in {b"", b"null", b"{}"}:
        return None  # a context shared by the batch's messages: merged the pydantic way
    return found


def message(raw: msgspec.Raw) -> Message | None:
    """One message, valid, or None when it must go the pydantic way."""
    try:
        return _message.decode(raw)
    except ERRORS:
        return None


def sent_at(raw: msgspec.Raw) -> tuple[bool, datetime | None]:
    """The batch's ``sentAt``: (readable, value)."""
    if not raw:
        return True, None
    try:
        return True, _time.decode(raw)
    except ERRORS:
        return False, None


def value(raw: msgspec.Raw) -> Any:
    """A raw JSON value as Python objects (the batch's ``sentAt``, a message refused)."""
    return _any.decode(raw) if raw else None


def to_json(value: Any) -> str:
    """JSON text of decoded JSON values (the ``properties`` an event stores)."""
    return msgspec.json.encode(value).decode()


def row_json(row: dict[str, Any]) -> bytes:
    """One event row as a JSON line (the collection log's payload)."""
    return msgspec.json.encode(row)
