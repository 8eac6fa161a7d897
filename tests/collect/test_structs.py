"""A batch's fast way (msgspec structs) gives what the pydantic way gives, message for message.

``parse_body`` decodes a batch with ``collect/structs.py`` and sends every message those
structs do not take through the pydantic model. These tests build batches of valid, odd
and invalid messages and hold the two ways equal: the same rows, the same refusals with the
same reasons, the same write key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.collect import segment, structs
from journeyscope.collect.segment import MAX_MESSAGE, Parsed, parse_body

RECEIVED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

ids = st.one_of(
    st.none(),
    st.sampled_from(["u1", " u2 ", "", "   ", "anon-7", "Nguyễn"]),
    st.integers(-5, 10**20),
    st.sampled_from([1.0, 2.5, -0.0, 1e300]),
    st.booleans(),
    st.just({"id": 1}),
)
times = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "2026-04-30T10:00:00Z",
            "2026-04-30T10:00:00.123Z",
            "2026-04-30T10:00:00.123456+07:00",
            "2026-04-30T10:00:00.1234567Z",  # more than microseconds
            "2026-04-30T10:00:00",  # no zone
            "2026-04-30",  # a date: pydantic takes it, msgspec does not
            "2026-04-30T10:00:00+15:00",  # past any zone's offset
            "1989-12-31T23:59:59Z",
            "2030-01-01T00:00:00Z",
            "not a time",
        ]
    ),
    st.integers(0, 2_000_000_000),
)
text = st.one_of(st.none(), st.sampled_from(["", "x", "Xem sản phẩm", "  "]), st.integers(0, 3))
campaign = st.fixed_dictionaries(
    {},
    optional={
        "source": st.sampled_from(["zalo", "google", "facebook", "", None, 5]),
        "medium": st.sampled_from(["cpc", "email", "social", None]),
        "name": st.sampled_from(["tet", None]),
    },
)
context = st.fixed_dictionaries(
    {},
    optional={
        "campaign": st.one_of(campaign, st.none(), st.just("utm")),
        "page": st.fixed_dictionaries(
            {},
            optional={
                "path": st.sampled_from(["/p/1", None, 3]),
                "referrer": st.sampled_from(["https://www.google.com/", "", None]),
            },
        ),
        "channel": st.sampled_from(["server", "browser", "mobile", None]),
        "traits": st.one_of(
            st.none(), st.fixed_dictionaries({}, optional={"email": ids, "phone": ids})
        ),
        "device": st.one_of(st.none(), st.just({"id": "dev-1"}), st.just({"id": 9})),
    },
)
revenue = st.one_of(
    st.integers(0, 10**25),
    st.sampled_from([199000, 12.5, "350000", "NaN", "abc", True, None, "1e400"]),
)
properties = st.one_of(
    st.none(),
    st.just("not an object"),
    st.fixed_dictionaries(
        {},
        optional={
            "revenue": revenue,
            "currency": st.sampled_from(["VND", None, 1]),
            "channel": st.sampled_from(["store", " hotline ", "", None]),
            "touchpoint": st.sampled_from(["counter", None]),
            "referrer": st.sampled_from(["https://zalo.me/x", None]),
            "price": st.floats(allow_nan=False, allow_infinity=False),
            "note": st.text(max_size=8),
        },
    ),
)
#: Any value each field may hold, the wrong ones too.
WIDE: dict[str, st.SearchStrategy[Any]] = {
    "type": st.sampled_from(["track", "identify", "page", "screen", "alias", "group", "x"]),
    "messageId": ids,
    "userId": ids,
    "anonymousId": ids,
    "previousId": ids,
    "groupId": ids,
    "user_id": st.just("snake"),  # not Segment's spelling: ignored either way
    "event": text,
    "name": text,
    "category": text,
    "properties": properties,
    "traits": st.one_of(
        st.none(), st.fixed_dictionaries({}, optional={"email": ids, "plan": text})
    ),
    "context": st.one_of(st.none(), context),
    "timestamp": times,
    "originalTimestamp": times,
    "sentAt": times,
    "writeKey": st.sampled_from(["wk-msg", "", 7]),
}
#: Messages as SDKs send them (most take the fast way) ...
valid = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["track", "identify", "page", "screen", "alias", "group"]),
        "messageId": st.sampled_from(["m1", " m2 ", 42, 7.0]),
        "anonymousId": st.sampled_from(["anon-1", 5]),
        "userId": st.sampled_from(["u1", "u2"]),
        "previousId": st.just("old-1"),
        "groupId": st.just("g1"),
        "event": st.sampled_from(["Product Viewed", "Order Completed", "Tư vấn"]),
    },
    optional={
        "properties": properties,
        "context": context,
        "timestamp": st.sampled_from(["2026-04-30T10:00:00Z", "2026-04-30T17:00:00.5+07:00"]),
        "sentAt": st.sampled_from(["2026-04-30T10:00:05Z", "2026-04-30T10:00:00"]),
        "name": st.sampled_from(["Trang chủ", "Giỏ hàng"]),
        "traits": st.fixed_dictionaries({}, optional={"email": ids, "plan": text}),
    },
)
#: ... and the same with one field set to anything.
changed = st.builds(
    lambda base, change: {**base, **change},
    valid,
    st.sampled_from(sorted(WIDE)).flatmap(lambda key: WIDE[key].map(lambda v: {key: v})),
)
message = st.one_of(valid, changed, st.fixed_dictionaries({}, optional=WIDE))
batch = st.fixed_dictionaries(
    {"batch": st.lists(st.one_of(message, st.just("not a message"), st.just(3)), max_size=6)},
    optional={"sentAt": times, "writeKey": st.sampled_from(["wk-batch", ""])},
)


def slow(body: bytes, monkeypatch: pytest.MonkeyPatch) -> Parsed:
    with monkeypatch.context() as patched:
        patched.setattr(structs, "envelope", lambda _: None)
        return parse_body("batch", body, received_at=RECEIVED)


def same(fast: Parsed, slow_way: Parsed) -> None:
    def rows(parsed: Parsed) -> list[dict[str, Any]]:
        return [
            {**r, "event_id": "made" if r["event_id"].startswith("collect:") else r["event_id"]}
            for r in parsed.rows
        ]

    assert rows(fast) == rows(slow_way)
    assert fast.problems == slow_way.problems
    assert fast.raw == slow_way.raw
    assert fast.write_key == slow_way.write_key


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=batch)
def test_the_fast_way_equals_the_pydantic_way(
    body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = json.dumps(body).encode()
    same(parse_body("batch", raw, received_at=RECEIVED), slow(raw, monkeypatch))


def test_a_valid_batch_takes_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The equality above means nothing if no batch went the fast way."""
    calls: list[int] = []
    real = segment._one

    def counted(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        real(*args, **kwargs)

    monkeypatch.setattr(segment, "_one", counted)
    messages = [
        {"type": "track", "messageId": f"m{i}", "anonymousId": "a", "event": "Product Viewed"}
        for i in range(50)
    ]
    messages.append({"type": "track", "anonymousId": "a"})  # no event: refused, pydantic way
    parsed = parse_body("batch", json.dumps({"batch": messages}).encode())
    assert len(parsed.rows) == 50 and len(parsed.problems) == 1
    assert len(calls) == 1  # only the refused message went through the pydantic model


@pytest.mark.parametrize(
    "extra",
    [
        {"context": {"channel": "server"}},  # a context shared by the batch
        {"sentAt": "2026-04-30T10:00:00.1234567Z"},  # more than microseconds
        {"sentAt": "junk"},
        # a time written with an escaped "." would hide its 7 digits from the check
        {"sentAt": "2026-04-30T10:00:05\\u002e9999999Z"},
    ],
)
def test_bodies_the_structs_leave_to_pydantic(
    extra: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {
        "batch": [{"type": "page", "anonymousId": "a", "timestamp": "2026-04-30T10:00:00Z"}],
        **extra,
    }
    raw = json.dumps(body).encode().replace(b"\\\\u002e", b"\\u002e")
    assert structs.envelope(raw) is None or extra.get("sentAt") == "junk"
    same(parse_body("batch", raw, received_at=RECEIVED), slow(raw, monkeypatch))


def test_a_large_message_is_measured_as_the_pydantic_way_measures_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Compact JSON a little under 32 KB grows past it with ", " and ": " — the limit is
    the one ``_one`` applies, whichever way the batch goes."""
    items = {f"k{i}": i % 10 for i in range(3100)}  # ~28 KB compact, ~34 KB spaced
    big = {"type": "track", "anonymousId": "a", "event": "x", "properties": items}
    small = {"type": "track", "anonymousId": "b", "event": "y", "properties": {"n": "x" * 4000}}
    raw = json.dumps({"batch": [big, small]}, separators=(",", ":")).encode()
    assert len(raw) > MAX_MESSAGE
    fast = parse_body("batch", raw, received_at=RECEIVED)
    same(fast, slow(raw, monkeypatch))
    assert [p.index for p in fast.problems] == [0] and len(fast.rows) == 1
    # numbers grow most: 9 KB of 1e15 is 36 KB once Python writes each as 1000000000000000.0
    numbers = b"[" + b",".join([b"1e15"] * 1900) + b"]"
    raw = (
        b'{"batch":[{"type":"track","anonymousId":"a","event":"x","properties":{"n":'
        + numbers
        + b"}},"
        + json.dumps({**small, "properties": {"n": "x" * 24000}}).encode()  # body over 32 KB
        + b"]}"
    )
    fast = parse_body("batch", raw, received_at=RECEIVED)
    same(fast, slow(raw, monkeypatch))
    assert [p.index for p in fast.problems] == [0] and len(fast.rows) == 1
