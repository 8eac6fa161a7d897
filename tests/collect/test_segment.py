"""Segment's documented HTTP Tracking API bodies, mapped to event rows; limits; validation."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from journeyscope.collect import PATHS, InvalidEvents, PayloadTooLarge, decode_body, parse_body
from journeyscope.collect.errors import CollectorBusy, DiskFull
from journeyscope.collect.segment import MAX_BATCH, MAX_MESSAGE
from journeyscope.errors import InputError

RECEIVED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def one(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_body(kind, json.dumps(body).encode(), received_at=RECEIVED)
    assert parsed.problems == []
    (row,) = parsed.rows
    return row


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


# The examples of Segment's HTTP Tracking API documentation, body for body.
def test_track_example() -> None:
    row = one(
        "track",
        {
            "userId": "019mr8mf4r",
            "event": "Item Purchased",
            "properties": {"name": "Leap to Conclusions Mat", "revenue": 14.99},
            "context": {"ip": "24.5.68.47"},
            "timestamp": "2012-12-02T00:30:12.984Z",
        },
    )
    assert row["event"] == "Item Purchased"
    assert row["user_id"] == "019mr8mf4r"
    assert row["revenue"] == pytest.approx(14.99)
    assert row["ts"] == ms("2012-12-02T00:30:12.984+00:00")  # no sentAt: its own time
    assert json.loads(row["properties"])["name"] == "Leap to Conclusions Mat"
    assert row["event_id"].startswith("collect:")  # no messageId: one is made, as Segment does


def test_identify_example_carries_email_as_identifier() -> None:
    row = one(
        "identify",
        {
            "userId": "019mr8mf4r",
            "traits": {"email": "pgibbons@example.com", "name": "Peter Gibbons"},
            "context": {"ip": "24.5.68.47"},
            "timestamp": "2012-12-02T00:30:08.276Z",
            "messageId": "id-1",
        },
    )
    assert (row["event"], row["email"], row["event_id"]) == (
        "identify",
        "pgibbons@example.com",
        "id-1",
    )
    assert json.loads(row["properties"]) == {"traits": {"name": "Peter Gibbons"}}  # no copy


def test_page_screen_group_alias_examples() -> None:
    page = one("page", {"userId": "019mr8mf4r", "name": "Tracking HTTP API"})
    assert (page["event"], page["channel"], page["ts"]) == ("page_view", "web", ms(str(RECEIVED)))
    screen = one("screen", {"userId": "019mr8mf4r", "name": "Tracking HTTP API"})
    assert (screen["event"], screen["channel"], screen["touchpoint"]) == (
        "screen_view",
        "app",
        "app:Tracking HTTP API",
    )
    group = one(
        "group",
        {
            "userId": "019mr8mf4r",
            "groupId": "8e9df332ac",
            "traits": {"name": "Initech", "email": "x@initech.com"},
        },
    )
    assert group["event"] == "group" and group["email"] is None  # the company's, not a person's
    assert json.loads(group["properties"])["group_id"] == "8e9df332ac"
    alias = one("alias", {"previousId": "39239-239239-239239-23923", "userId": "019mr8mf4r"})
    assert (alias["event"], alias["anonymous_id"], alias["user_id"]) == (
        "alias",
        "39239-239239-239239-23923",
        "019mr8mf4r",
    )


def test_batch_example_shares_its_context_and_sent_at() -> None:
    body = {
        "batch": [
            {"type": "identify", "userId": "019mr8mf4r", "traits": {"email": "jake@yahoo.com"}},
            {
                "type": "track",
                "userId": "971mj8mk7p",
                "event": "Online Purchase",
                "properties": {"revenue": 70, "shipping": "Ground"},
                "timestamp": "2026-05-01T11:59:00Z",
            },
        ],
        "context": {"campaign": {"source": "zalo", "medium": "oa"}},
        "sentAt": "2026-05-01T11:59:30Z",
    }
    parsed = parse_body("batch", json.dumps(body).encode(), received_at=RECEIVED)
    assert [r["event"] for r in parsed.rows] == ["identify", "Online Purchase"]
    assert [r["channel"] for r in parsed.rows] == ["zalo", "zalo"]
    # the client's clock is 30 s behind ours: 11:59:00 sent at 11:59:30, received 12:00:00
    assert parsed.rows[1]["ts"] == ms("2026-05-01T11:59:30+00:00")


def test_clock_skew_is_corrected_like_segment() -> None:
    row = one(
        "track",
        {
            "anonymousId": "a",
            "event": "x",
            "timestamp": "2026-05-01T15:00:00+07:00",  # 08:00 UTC on a clock 1 h fast
            "sentAt": "2026-05-01T13:00:05Z",
        },
    )
    assert row["ts"] == ms("2026-05-01T06:59:55+00:00")  # received - (sent - timestamp)


def test_a_clock_correction_past_any_date_is_refused_not_a_crash() -> None:
    """Found by fuzzing (tests/server/test_fuzz.py): received − (sentAt − timestamp) left
    the calendar and raised OverflowError — a 500 on /v1/batch."""
    body = {
        "batch": [
            {"type": "track", "userId": "u", "event": "x", "timestamp": "0015-01-14T03:01:44Z"},
            {"type": "track", "userId": "u", "event": "ok", "messageId": "fine"},
        ],
        "sentAt": "7235-02-02T03:50:20Z",
    }
    parsed = parse_body("batch", json.dumps(body).encode(), received_at=RECEIVED)
    assert [(p.index, p.field) for p in parsed.problems] == [(0, "sentAt")]
    assert "too far apart" in parsed.problems[0].to_dict()["reason"]
    assert "quá xa" in parsed.problems[0].to_dict("vi")["reason"]
    assert [r["event_id"] for r in parsed.rows] == ["fine"]


def test_numbers_as_ids_and_trait_identifiers() -> None:
    row = one(
        "track",
        {
            "userId": 42,
            "event": "Product Added",
            "context": {"traits": {"phone": "0903 123 456", "zaloId": 77}, "device": {"id": "d1"}},
        },
    )
    assert (row["user_id"], row["phone"], row["zalo_id"], row["device_id"]) == (
        "42",
        "0903 123 456",
        "77",
        "d1",
    )


def test_per_event_problems_say_which_and_why() -> None:
    body = {
        "batch": [
            {"type": "track", "userId": "u", "event": "ok", "messageId": "a"},
            {"type": "track", "userId": "u", "messageId": "b"},
            {"type": "track", "event": "x", "messageId": "c"},
            {"type": "warp", "userId": "u", "messageId": "d"},
            {"userId": "u", "messageId": "e"},
            {"type": "track", "userId": "u", "event": "x", "timestamp": "2999-01-01T00:00:00Z"},
            {"type": "track", "userId": "u", "event": "x", "timestamp": "yesterday"},
            "not an object",
        ]
    }
    parsed = parse_body("batch", json.dumps(body).encode(), received_at=RECEIVED)
    assert [r["event_id"] for r in parsed.rows] == ["a"]
    found = {(p.index, p.field) for p in parsed.problems}
    assert found == {
        (1, "event"),
        (2, "userId"),
        (3, "type"),
        (4, "type"),
        (5, "timestamp"),
        (6, "timestamp"),
        (7, "(message)"),
    }
    error = InvalidEvents(parsed.problems, len(parsed.rows))
    assert error.http_status == 400 and "7" in error.message("en") and "7" in error.message("vi")
    assert {p.to_dict()["messageId"] for p in parsed.problems} >= {"b", "c", "d", "e"}
    vietnamese = {p.index: p.to_dict("vi")["reason"] for p in parsed.problems}
    assert vietnamese[1] == "lệnh track cần tên sự kiện (event)"
    assert vietnamese[2] == "mọi lệnh gọi cần userId hoặc anonymousId"
    assert "tương lai" in vietnamese[5] and "ISO 8601" in vietnamese[6]
    assert "lệnh track" in error.message("vi")


def test_limits_are_segments() -> None:
    big = {"userId": "u", "event": "x", "properties": {"blob": "x" * MAX_MESSAGE}}
    with pytest.raises(PayloadTooLarge) as caught:
        parse_body("track", json.dumps(big).encode())
    assert caught.value.http_status == 413 and "32 KB" in caught.value.message("en")
    batch = {"batch": [{**big, "type": "track"}, {"type": "track", "userId": "u", "event": "y"}]}
    parsed = parse_body("batch", json.dumps(batch).encode())
    assert len(parsed.rows) == 1 and parsed.problems[0].reason == "over 32 KB"
    huge = {"batch": [{"type": "track", "userId": "u", "event": "x" * 30_000}] * 20}
    with pytest.raises(PayloadTooLarge, match="500 KB"):
        parse_body("batch", json.dumps(huge).encode())


def test_gzip_bodies_and_bombs() -> None:
    body = json.dumps({"userId": "u", "event": "x"}).encode()
    assert decode_body(gzip.compress(body), "gzip", kind="track") == body
    bomb = gzip.compress(b" " * (MAX_BATCH * 4))
    with pytest.raises(PayloadTooLarge):
        decode_body(bomb, "gzip", kind="batch")
    with pytest.raises(InputError, match="gzip"):
        decode_body(b"not gzip", "gzip", kind="track")


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[1, 2]",
        b'{"batch": 3}',
        b"\xff\xfe",
        b'{"batch": [{"type": "track", "userId": "u", "event": "x", "properties": {"v": NaN}}]}',
        b'{"batch": [{"type": "track", "userId": "u", "event": "x", "properties": {"v": 1e400}}]}',
    ],
)
def test_bodies_that_are_not_messages_are_refused_whole(body: bytes) -> None:
    with pytest.raises(InputError) as caught:
        parse_body("batch", body)
    assert caught.value.http_status == 400 and caught.value.message("vi")


def test_odd_shapes_are_refused_per_message() -> None:
    body = {
        "batch": [
            {"type": "track", "userId": "u", "event": "x", "context": "not an object"},
            {"type": "track", "userId": {"a": 1}, "event": "x"},
            {"type": "track", "userId": "u", "event": 5},
            {"type": "track", "userId": "u", "event": "x", "properties": [1]},
            {"type": "track", "userId": "u", "event": "ok", "messageId": "fine"},
        ],
        "context": {"channel": "browser"},
    }
    parsed = parse_body("batch", json.dumps(body).encode())
    assert [p.index for p in parsed.problems] == [0, 1, 2, 3]
    assert [(r["event_id"], r["channel"]) for r in parsed.rows] == [("fine", "web")]


def test_paths_cover_segment_analytics_js_and_rudderstack() -> None:
    assert PATHS["/v1/track"] == PATHS["/v1/t"] == "track"
    assert PATHS["/v1/batch"] == PATHS["/v1/import"] == PATHS["/beacon/v1/batch"] == "batch"
    assert {PATHS[f"/v1/{k}"] for k in ("identify", "page", "screen", "alias", "group")} == {
        "identify",
        "page",
        "screen",
        "alias",
        "group",
    }


def test_error_statuses_for_the_server() -> None:
    busy = CollectorBusy(3, 10)
    assert (busy.http_status, busy.retry_after) == (429, 3)
    assert busy.message("vi") != busy.message("en")
    assert DiskFull("full", "đầy").http_status == 503


def test_the_write_key_in_the_body_for_analytics_js() -> None:
    body = {"batch": [{"type": "page", "anonymousId": "a", "writeKey": "wk_1"}]}
    assert parse_body("batch", json.dumps(body).encode()).write_key == "wk_1"
    body2 = {"userId": "u", "event": "x", "writeKey": "wk_2"}
    assert parse_body("track", json.dumps(body2).encode()).write_key == "wk_2"
    assert parse_body("track", b'{"userId": "u", "event": "x"}').write_key is None


def test_a_body_of_the_wrong_shape_is_said_in_vietnamese_too() -> None:
    for kind, body, en, vi in (
        ("track", b"[1]", "a JSON object", "một đối tượng JSON"),
        ("batch", b"{}", '{"batch": [...]}', '{"batch": [...]}'),
    ):
        with pytest.raises(InputError) as caught:
            parse_body(kind, body, received_at=RECEIVED)
        assert en in caught.value.render("en")
        assert vi in caught.value.render("vi") and "a JSON object" not in caught.value.render("vi")


def test_values_no_store_can_hold_are_refused_per_message() -> None:
    """Each found by a hostile probe as a 500 (or a wrong time): now that message's 400."""
    body = (
        b'{"batch": ['
        b'{"type": "track", "userId": "a", "event": "purchase", "messageId": "big",'
        b' "properties": {"revenue": 1' + b"0" * 400 + b"}},"
        b'{"type": "track", "userId": "b", "event": "purchase", "messageId": "inf",'
        b' "properties": {"revenue": "1e400"}},'
        b'{"type": "track", "userId": "c", "event": "v\\ud800", "messageId": "m\\udfff"},'
        b'{"type": "track", "userId": "d", "event": "x", "messageId": "far",'
        b' "timestamp": "2026-04-30T10:00:00+15:00"},'
        b'{"type": "track", "userId": "e", "event": "ok \\ud83d\\ude00", "messageId": "ok"}'
        b"]}"
    )
    parsed = parse_body("batch", body, received_at=RECEIVED)
    assert [r["event"] for r in parsed.rows] == ["ok \U0001f600"]  # a surrogate pair is fine
    found = {p.index: (p.field, p.reason) for p in parsed.problems}
    assert found[0] == ("properties.revenue", "10000000000000000000… is too large to be an amount")
    assert found[1][0] == "properties.revenue"
    assert found[2][0] == "(message)" and "lone surrogate" in found[2][1]
    assert found[3] == (
        "timestamp",
        "the UTC offset of 2026-04-30T10:00:00+15:00 is outside -14:00…+14:00",
    )
    # what the server answers and quarantines can be written as UTF-8
    error = InvalidEvents(parsed.problems, len(parsed.rows))
    json.dumps([p.to_dict() for p in parsed.problems], ensure_ascii=False).encode("utf-8")
    assert error.http_status == 400
    for _, raw in parsed.raw:
        raw.encode("utf-8")
    # a body in UTF-16 (json reads it) cannot slip a surrogate past the check
    sixteen = '{"type": "track", "userId": "u", "event": "x\\ud800y"}'.encode("utf-16-le")
    parsed = parse_body("track", sixteen, received_at=RECEIVED)
    assert parsed.rows == [] and "lone surrogate" in parsed.problems[0].reason
    nan = {"type": "track", "userId": "u", "event": "buy", "properties": {"revenue": "NaN"}}
    parsed = parse_body("track", json.dumps(nan).encode(), received_at=RECEIVED)
    assert parsed.problems[0].reason == "NaN is not a number"
