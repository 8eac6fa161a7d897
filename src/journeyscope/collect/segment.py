"""Segment's HTTP Tracking API (and RudderStack's): message bodies and their event rows.

A message is validated with pydantic and mapped, in the request, to the row import stores
(our field names, ``events.schema.EVENT_FIELDS``), so what the log holds is already
checked and the loader only hands rows to ``ingest``. ``messageId`` is the event id, and
the event time is corrected for the client's clock as Segment does:
``timestamp = receivedAt - (sentAt - timestamp)``.
"""

from __future__ import annotations

import json
import math
import re
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from journeyscope.collect import channels, structs
from journeyscope.collect.errors import EventProblem, PayloadTooLarge
from journeyscope.collect.structs import Kind, id_text, missing
from journeyscope.errors import InputError
from journeyscope.events.schema import IDENTIFIER_TYPES

MAX_MESSAGE = 32 * 1024
MAX_BATCH = 500 * 1024
KINDS: tuple[str, ...] = ("track", "identify", "page", "screen", "alias", "group")
#: Request paths (Segment's, Analytics.js 2.0's short ones, RudderStack's) -> call type.
PATHS: dict[str, str] = {
    **{f"/v1/{k}": k for k in (*KINDS, "batch")},
    **{f"/v1/{k[0]}": k for k in KINDS},
    "/v1/b": "batch",
    "/v1/import": "batch",  # RudderStack
    "/beacon/v1/batch": "batch",  # RudderStack's sendBeacon
}
#: Segment's e-commerce spec names -> ours (other names are stored lower_snake_case).
EVENT_NAMES: dict[str, str] = {
    "Order Completed": "purchase",
    "Order Refunded": "refund",
    "Product Viewed": "product_view",
    "Product Added": "add_to_cart",
    "Checkout Started": "begin_checkout",
    "Signed Up": "sign_up",
}
NAMES = {"page": "page_view", "screen": "screen_view", "identify": "identify"}
OLDEST = datetime(1990, 1, 1, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
OLDEST_MS = (OLDEST - EPOCH) // ONE_MS
#: How far past its receipt an event may be dated (a client's clock a little ahead).
AHEAD_MS = 86_400_000
MAX_OFFSET = timedelta(hours=14)  # the widest offset any zone uses (Kiribati)
#: Traits that are identifiers (our identifier types, and Segment's spellings of them).
TRAIT_IDS = {**{t: t for t in IDENTIFIER_TYPES}, "zaloId": "zalo_id", "loyaltyId": "loyalty_id"}


#: Vietnamese for the reasons a message is refused (pydantic's own by error type below).
REASONS_VI: dict[str, str] = {
    "an id must be text or a number": "mã định danh phải là chữ hoặc số",
    "a track call needs an event name": "lệnh track cần tên sự kiện (event)",
    "an alias call needs previousId and userId": "lệnh alias cần previousId và userId",
    "a group call needs a groupId": "lệnh group cần groupId",
    "every call needs a userId or an anonymousId": "mọi lệnh gọi cần userId hoặc anonymousId",
    "not a JSON object": "không phải đối tượng JSON",
    "a batch message needs a type (track, identify, page, ...)": (
        "sự kiện trong lô cần type (track, identify, page, ...)"
    ),
}
PYDANTIC_VI: dict[str, str] = {
    "literal_error": "giá trị không nằm trong danh sách cho phép",
    "string_type": "phải là chuỗi ký tự",
    "dict_type": "phải là đối tượng JSON",
    "model_type": "phải là đối tượng JSON",
    "datetime_type": "phải là thời điểm ISO 8601",
    "datetime_parsing": "không đọc được thời điểm (cần ISO 8601)",
    "datetime_from_date_parsing": "không đọc được thời điểm (cần ISO 8601)",
    "timezone_aware": "thời điểm cần múi giờ",
}


Id = Annotated[str | None, BeforeValidator(id_text)]


class BadAmount(ValueError):
    """A revenue no double can hold (or not a number at all): the message is refused, not
    stored without it, as import quarantines such a row."""

    def __init__(self, en: str, vi: str) -> None:
        super().__init__(en)
        self.en, self.vi = en, vi


class Campaign(BaseModel):
    """``context.campaign``: the UTM parameters of the visit."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    source: str | None = None
    medium: str | None = None
    term: str | None = None
    content: str | None = None


class PageContext(BaseModel):
    model_config = ConfigDict(extra="ignore")
    path: str | None = None
    referrer: str | None = None
    url: str | None = None
    title: str | None = None


class Context(BaseModel):
    model_config = ConfigDict(extra="ignore")
    campaign: Campaign | None = None
    page: PageContext | None = None
    channel: str | None = None
    traits: dict[str, Any] | None = None
    device: dict[str, Any] | None = None


class Message(BaseModel):
    """One call of any type; fields not listed are kept by pydantic and ignored by us."""

    model_config = ConfigDict(extra="ignore", alias_generator=to_camel)
    type: Kind | None = None
    message_id: Id = None
    anonymous_id: Id = None
    user_id: Id = None
    previous_id: Id = None
    group_id: Id = None
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

    @model_validator(mode="after")
    def _required(self) -> Message:
        why = missing(self.type, self)
        if why is not None:
            raise ValueError(why)
        return self


#: A valid message either way: the pydantic model, or the struct of a batch's fast way.
AnyMessage = Message | structs.Message
#: Why a valid message is not stored: (field, reason, reason in Vietnamese or None).
Refusal = tuple[str, str, str | None]


@dataclass
class Parsed:
    """The rows of a request's valid messages, and why the others were refused."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[EventProblem] = field(default_factory=list)
    raw: list[tuple[int, str]] = field(default_factory=list)  # refused messages, as sent
    write_key: str | None = None


def decode_body(body: bytes, content_encoding: str | None, *, kind: str) -> bytes:
    """The request body, un-gzipped, refused once past the limit (no zip bomb fills memory)."""
    limit = MAX_BATCH if kind == "batch" else MAX_MESSAGE
    if (content_encoding or "").strip().lower() in {"gzip", "x-gzip"}:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, limit + 1)
        except zlib.error as exc:
            raise InputError(
                f"the gzip body cannot be read: {exc}",
                f"không giải nén được nội dung gzip: {exc}",
                hint_en="send valid gzip, or the JSON without Content-Encoding",
                hint_vi="gửi gzip hợp lệ, hoặc JSON không kèm Content-Encoding",
                code="invalid_body",
            ) from exc
    if len(body) > limit:
        raise too_large(kind, len(body))
    return body


def too_large(kind: str, size: int) -> PayloadTooLarge:
    limit = MAX_BATCH if kind == "batch" else MAX_MESSAGE
    what_en, what_vi = ("a batch", "một lô") if kind == "batch" else ("a message", "một sự kiện")
    return PayloadTooLarge(
        f"{what_en} may hold at most {limit // 1024} KB; this one has {size} bytes",
        f"{what_vi} tối đa {limit // 1024} KB; yêu cầu này có {size} byte",
        hint_en="send fewer events per batch (Segment's limits: 32 KB a message, 500 KB a batch)",
        hint_vi="gửi ít sự kiện hơn mỗi lô (giới hạn của Segment: 32 KB/sự kiện, 500 KB/lô)",
    )


def parse_body(kind: str, body: bytes, *, received_at: datetime | None = None) -> Parsed:
    """Validate one request body of call type ``kind`` (a key of :data:`PATHS`' values).

    A body that is not JSON, or over its limit, is refused whole; otherwise every message
    is checked alone and ``Parsed.problems`` says which failed and why."""
    now = received_at or datetime.now(UTC)
    if len(body) > (MAX_BATCH if kind == "batch" else MAX_MESSAGE):
        raise too_large(kind, len(body))
    # "\ud800" in JSON text reads as a lone surrogate, which no file or database can hold:
    # only bodies with such an escape pay for checking each message's text
    odd = _SURROGATE.search(body) is not None or json.detect_encoding(body) != "utf-8"
    if kind == "batch" and not odd:
        found = structs.envelope(body)
        fast = _fast_batch(found, now, len(body) > MAX_MESSAGE) if found else None
        if fast is not None:
            return fast
    try:
        data = json.loads(body, parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"the body is not JSON: {exc}",
            f"nội dung không phải JSON: {exc}",
            hint_en="send one JSON object (Content-Type: application/json)",
            hint_vi="gửi một đối tượng JSON (Content-Type: application/json)",
            code="invalid_body",
        ) from exc
    if not isinstance(data, dict) or (kind == "batch" and not isinstance(data.get("batch"), list)):
        batch = kind == "batch"
        raise InputError(
            "the body must be " + ('{"batch": [...]}' if batch else "a JSON object"),
            "nội dung phải là " + ('{"batch": [...]}' if batch else "một đối tượng JSON"),
            hint_en="see Segment's HTTP Tracking API for the body of each call",
            hint_vi="xem HTTP Tracking API của Segment về nội dung từng lệnh gọi",
            code="invalid_body",
        )
    parsed = Parsed(write_key=_write_key(data))
    if kind == "batch":
        context = data.get("context")
        shared: dict[str, Any] = context if isinstance(context, dict) else {}
        check_size = len(body) > MAX_MESSAGE  # else no message of it can be over the limit
        for index, item in enumerate(data["batch"]):
            _one(parsed, index, item, None, now, shared, data.get("sentAt"), check_size, odd)
    else:
        _one(parsed, 0, data, kind, now, {}, None, False, odd)
    return parsed


_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _fast_batch(found: structs.Envelope, now: datetime, check_size: bool) -> Parsed | None:
    """A batch through msgspec's structs (``collect/structs.py``); a message they do not
    take goes through :func:`_one` as before. None: the whole body goes the pydantic way
    (its ``sentAt`` unreadable, or a message not even JSON values Python holds)."""
    readable, shared_sent = structs.sent_at(found.sentAt)
    if not readable:
        return None
    # a message of at most a quarter of the limit cannot reach it as ``_one`` measures it,
    # re-serialised: ", " and ": " add half, and a number grows 4.5 times at most
    # (``1e15`` is written 1000000000000000.0); a larger one goes the pydantic way
    small = MAX_MESSAGE // 4
    latest = epoch_ms(now) + AHEAD_MS  # once a body, not once a message
    done: list[dict[str, Any] | tuple[int, object]] = []
    keys: list[object] = [found.writeKey]
    for index, raw in enumerate(found.batch):
        message = structs.message(raw) if not check_size or len(raw) <= small else None
        if message is not None:
            keys.append(message.write_key)
            if message.sent_at is None:
                message.sent_at = shared_sent
            row = _row_of(message, now, latest)
            if isinstance(row, dict):
                done.append(row)
                continue
        try:
            item = structs.value(raw)
        except structs.ERRORS:  # e.g. 1e400: json.loads reads it and _one says why
            return None
        if message is None:
            keys.append(item.get("writeKey") if isinstance(item, dict) else None)
        done.append((index, item))
    parsed = Parsed(write_key=next((k for k in keys if isinstance(k, str) and k), None))
    slow = any(not isinstance(outcome, dict) for outcome in done)
    sent_at = structs.value(found.sentAt) if slow else None  # as _one takes it
    for outcome in done:
        if isinstance(outcome, dict):
            parsed.rows.append(outcome)
        else:
            _one(parsed, outcome[0], outcome[1], None, now, {}, sent_at, check_size)
    return parsed


def _as_sent(item: object) -> str:
    """A message as JSON text that can be written anywhere (lone surrogates escaped)."""
    text = json.dumps(item, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(item, ensure_ascii=True, default=str)
    return text


def _valid_unicode(item: object) -> bool:
    try:
        json.dumps(item, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _finite(text: str) -> float:
    """A number JSON can hold: ``1e400`` would become infinity and break the store."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not JSON")


def _write_key(data: dict[str, Any]) -> str | None:
    """Analytics.js 2.0 sends its write key in the body (``writeKey``), not as Basic auth;
    in a batch it may sit on the messages only."""
    batch = data.get("batch")
    candidates = (
        [data, *(m for m in batch if isinstance(m, dict))] if isinstance(batch, list) else [data]
    )
    for candidate in candidates:
        key = candidate.get("writeKey")
        if isinstance(key, str) and key:
            return key
    return None


def _one(
    parsed: Parsed,
    index: int,
    item: object,
    kind: str | None,
    now: datetime,
    shared: dict[str, Any],
    sent_at: object,
    check_size: bool,
    odd: bool = False,
) -> None:
    message_id = item.get("messageId") if isinstance(item, dict) else None
    mid = str(message_id) if isinstance(message_id, str | int) else None
    if odd and mid is not None and not _valid_unicode(mid):
        mid = mid.encode("utf-8", "backslashreplace").decode("utf-8")

    def refuse(where: str, why: str, why_vi: str | None = None) -> None:
        vi = why_vi or REASONS_VI.get(why, why)
        parsed.problems.append(EventProblem(index, mid, where, why, vi))
        parsed.raw.append(
            (index, _as_sent(item) if odd else json.dumps(item, ensure_ascii=False, default=str))
        )

    if odd and not _valid_unicode(item):
        return refuse(
            "(message)",
            "text that is not valid Unicode (a lone surrogate, \\ud800-\\udfff)",
            "văn bản không hợp lệ Unicode (một surrogate đơn lẻ, \\ud800-\\udfff)",
        )
    if check_size and len(json.dumps(item, ensure_ascii=False, default=str).encode()) > MAX_MESSAGE:
        return refuse(
            "(message)", f"over {MAX_MESSAGE // 1024} KB", f"quá {MAX_MESSAGE // 1024} KB"
        )
    if not isinstance(item, dict):
        return refuse("(message)", "not a JSON object")
    body = {**item, "type": kind or item.get("type")}
    own = item.get("context")
    if shared and (own is None or isinstance(own, dict)):
        body["context"] = {**shared, **(own or {})}
    if sent_at is not None and body.get("sentAt") is None:
        body["sentAt"] = sent_at
    try:
        message = Message.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(message)"
        why = str(first["msg"]).removeprefix("Value error, ")
        if ": " in why and not first["loc"]:
            where, why = why.split(": ", 1)
        return refuse(where, why, REASONS_VI.get(why) or PYDANTIC_VI.get(str(first["type"])))
    found = _row_of(message, now)
    if isinstance(found, dict):
        parsed.rows.append(found)
        return None
    return refuse(*found)


def epoch_ms(value: datetime) -> int:
    """Whole milliseconds since 1970 (UTC), in integers (no float)."""
    return (value - EPOCH) // ONE_MS


def _row_of(
    message: AnyMessage, now: datetime, latest: int | None = None
) -> dict[str, Any] | Refusal:
    """The event row of a valid message, or why it is refused; ``latest``: the last epoch
    millisecond an event received ``now`` may have (:data:`AHEAD_MS` after it). Both
    bounds are compared in whole milliseconds, the time's precision once stored."""
    if message.type is None:
        return ("type", "a batch message needs a type (track, identify, page, ...)", None)
    times = (ts, original, sent) = (
        message.timestamp,
        message.original_timestamp,
        message.sent_at,
    )
    if (
        (ts is not None and ts.tzinfo is not UTC)
        or (original is not None and original.tzinfo is not UTC)
        or (sent is not None and sent.tzinfo is not UTC)
    ):
        found = _far_offset(times)
        if found is not None:
            return found
    try:
        ts = event_time(message, now)
    except OverflowError:  # sentAt and timestamp centuries apart: no date can result
        return (
            "sentAt",
            "sentAt and timestamp are too far apart to give a date",
            "sentAt và timestamp cách nhau quá xa, không ra được ngày",
        )
    ms = epoch_ms(ts)
    if ms < OLDEST_MS or ms > (epoch_ms(now) + AHEAD_MS if latest is None else latest):
        return (
            "timestamp",
            f"{ts.isoformat()} is before 1990 or in the future",
            f"{ts.isoformat()} trước năm 1990 hoặc ở tương lai",
        )
    try:
        return to_row(message, ms)
    except BadAmount as exc:
        return ("properties.revenue", exc.en, exc.vi)


def _far_offset(times: tuple[datetime | None, ...]) -> Refusal | None:
    """A time whose UTC offset no place has (as import refuses them), or None. Only asked
    when a time is not in UTC: most clients send ``Z``."""
    for where, given in zip(("timestamp", "originalTimestamp", "sentAt"), times, strict=True):
        offset = given.utcoffset() if given and given.tzinfo is not UTC else None
        if given and offset is not None and abs(offset) > MAX_OFFSET:
            return (
                where,
                f"the UTC offset of {given.isoformat()} is outside -14:00…+14:00",
                f"độ lệch UTC của {given.isoformat()} nằm ngoài -14:00…+14:00",
            )
    return None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def event_time(message: AnyMessage, received_at: datetime) -> datetime:
    """When it happened: the client's time moved by its clock's error (``sentAt`` against
    our ``receivedAt``); a message without ``sentAt`` keeps its own time (imports of
    history), one without any time gets ``receivedAt``."""
    received = _aware(received_at)
    ts = message.timestamp or message.original_timestamp
    if ts is None:
        return received
    if message.sent_at is None:
        return _aware(ts)
    return received - (_aware(message.sent_at) - _aware(ts))


def _identifiers(message: AnyMessage) -> dict[str, str]:
    """Identifier fields from traits (identify's, and ``context.traits`` of any call)."""
    found: dict[str, str] = {}
    sources = [message.context.traits if message.context else None]
    if message.type == "identify":
        sources.append(message.traits)  # a group's traits describe the company, not a person
    for traits in filter(None, sources):
        for key, value in traits.items():
            target = TRAIT_IDS.get(key)
            usable = isinstance(value, str | int) and not isinstance(value, bool)
            if target and usable and str(value).strip():
                found[target] = str(value).strip()
    return found


def _without_ids(traits: dict[str, Any] | None) -> dict[str, Any]:
    """Traits with the identifiers left out: they live in their own columns (and leave with
    the person when ``forget`` runs), not copied into properties."""
    return {k: v for k, v in (traits or {}).items() if k not in TRAIT_IDS}


#: ``context.campaign``'s fields and the properties they become
_UTM = (
    ("source", "utm_source"),
    ("medium", "utm_medium"),
    ("name", "utm_campaign"),
    ("term", "utm_term"),
    ("content", "utm_content"),
)


def _properties(message: AnyMessage, referrer: str | None) -> dict[str, Any]:
    kind = message.type
    props: dict[str, Any] = dict(message.properties or {})
    if kind == "identify":
        props = {"traits": _without_ids(message.traits)}
    elif kind == "group":
        props = {"group_id": message.group_id, "traits": _without_ids(message.traits)}
    elif kind == "alias":
        props = {"previous_id": message.previous_id}
    elif kind in {"page", "screen"}:
        for key in ("name", "category"):
            if getattr(message, key):
                props.setdefault(key, getattr(message, key))
    context = message.context
    campaign = context.campaign if context else None
    if campaign is not None:
        for key, utm in _UTM:
            value = getattr(campaign, key)
            if value:
                props.setdefault(utm, value)
    if referrer:
        props.setdefault("referrer", referrer)
    return props


def _referrer(message: AnyMessage) -> str | None:
    page = message.context.page if message.context else None
    given = (message.properties or {}).get("referrer")
    return (page.referrer if page else None) or (given if isinstance(given, str) else None)


_UNSET: Any = object()


def channel_of(message: AnyMessage, referrer: str | None = _UNSET) -> str:
    """An explicit ``properties.channel`` first (a store or hotline names its own), then the
    default grouping of UTM and referrer, then ``context.channel`` and the call type.
    ``referrer``: the message's (``_referrer``), when the caller has it already."""
    given = (message.properties or {}).get("channel")
    if isinstance(given, str) and given.strip():
        return given.strip()
    campaign = message.context.campaign if message.context else None
    grouped = channels.group(
        campaign.source if campaign else None,
        campaign.medium if campaign else None,
        _referrer(message) if referrer is _UNSET else referrer,
    )
    if grouped:
        return grouped
    context_channel = (message.context.channel if message.context else None) or ""
    if context_channel.lower() in channels.CONTEXT_CHANNELS:
        return channels.CONTEXT_CHANNELS[context_channel.lower()]
    return {"page": "web", "screen": "app"}.get(message.type or "", "other")


def _touchpoint(message: AnyMessage) -> str | None:
    page = message.context.page if message.context else None
    props = message.properties or {}
    if message.type == "page":
        path = (page.path if page else None) or props.get("path") or message.name
        return f"web:{path}" if path else None
    if message.type == "screen":
        return f"app:{message.name}" if message.name else None
    given = props.get("touchpoint")
    return str(given) if given else None


def _revenue(message: AnyMessage) -> tuple[float | None, str | None]:
    props = message.properties or {}
    if message.type != "track":
        return None, None
    value = props.get("revenue", props.get("total"))
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, None
    currency = props.get("currency")
    try:
        amount = float(value)
    except ValueError:
        return None, None
    except OverflowError as exc:  # an integer past any double
        raise _too_large(f"{str(value)[:20]}…") from exc
    if math.isnan(amount):  # "NaN" as text
        raise BadAmount(f"{value} is not a number", f"{value} không phải là số")
    if math.isinf(amount):  # "1e400" as text
        raise _too_large(str(value)[:20])
    return amount, currency if isinstance(currency, str) else None


def _too_large(value: str) -> BadAmount:
    return BadAmount(f"{value} is too large to be an amount", f"{value} quá lớn để là một số tiền")


#: Every key of an event row, in the order its JSON lists them, with the DuckDB type its
#: values have (ids are text by then): the loader reads its staging files as these types
#: instead of sampling each file to detect them.
ROW_TYPES: dict[str, str] = {
    "event_id": "VARCHAR",
    "ts": "BIGINT",  # epoch milliseconds, UTC
    "event": "VARCHAR",
    "channel": "VARCHAR",
    "touchpoint": "VARCHAR",
    **dict.fromkeys(IDENTIFIER_TYPES, "VARCHAR"),
    "properties": "VARCHAR",  # JSON text
    "revenue": "DOUBLE",
    "currency": "VARCHAR",
}
_ROW: dict[str, Any] = dict.fromkeys(ROW_TYPES)


def to_row(message: AnyMessage, ms: int) -> dict[str, Any]:
    """The event row (our field names) of one valid message that happened at ``ms``
    (epoch milliseconds, UTC: :func:`epoch_ms`)."""
    revenue, currency = _revenue(message)
    referrer = _referrer(message)
    row = _ROW.copy()  # every field, in the order a row's JSON lists them
    row["event_id"] = message.message_id or f"collect:{uuid.uuid4()}"
    row["ts"] = ms
    row["event"] = message.event if message.type == "track" else NAMES.get(message.type or "")
    row["channel"] = channel_of(message, referrer)
    row["touchpoint"] = _touchpoint(message)
    row["properties"] = structs.to_json(_properties(message, referrer))
    row["revenue"] = revenue
    row["currency"] = currency
    if message.type == "group":
        row["event"] = "group"
    if message.type == "alias":
        row["event"] = "alias"
        row["anonymous_id"] = message.previous_id  # the id the user had before: linked
    context = message.context
    if context is not None and context.device:
        device = context.device
        if isinstance(device.get("id"), str):
            row["device_id"] = device["id"]
    if (context is not None and context.traits) or message.type == "identify":
        row.update(_identifiers(message))  # (only a message with traits has any)
    row["user_id"] = message.user_id or row["user_id"]
    row["anonymous_id"] = row["anonymous_id"] or message.anonymous_id
    return row
