"""`feedback import`: each built-in shape, quarantine with line and bilingual reason,
idempotent re-import, identity shared with events, and files refused whole with a hint."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeyscope.errors import InputError
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.feedback.importing import import_feedback

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    opened = Workspace.init(tmp_path / "shop", WorkspaceConfig(timezone="Asia/Ho_Chi_Minh"))
    yield opened
    opened.close()


def _rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in ws.con.execute(sql).fetchall()]


@pytest.mark.parametrize(
    ("name", "shape", "kind", "stored", "rejected"),
    [
        ("survey.csv", "survey", "survey", 5, 4),
        ("shopee_reviews.csv", "shopee", "review", 3, 1),
        ("lazada_reviews.csv", "lazada", "review", 2, 0),
        ("tiktok_shop_reviews.csv", "tiktok_shop", "review", 2, 0),
        ("tickets.csv", "ticket", "ticket", 3, 0),
    ],
)
def test_each_shape_is_detected_and_stored(
    ws: Workspace, name: str, shape: str, kind: str, stored: int, rejected: int
) -> None:
    done = import_feedback(ws, FIXTURES / name)
    assert (done.shape, done.kind) == (shape, kind)
    assert (done.result.accepted, done.result.rejected, done.feedback) == (stored, rejected, stored)
    event = {"survey": "survey_response", "review": "review", "ticket": "ticket"}[kind]
    joined = _rows(
        ws,
        "SELECT e.event, f.kind FROM feedback f JOIN events e USING (seq) GROUP BY ALL",
    )
    assert joined == [(event, kind)]


def test_scores_text_and_sentiment_land_in_typed_columns(ws: Workspace) -> None:
    import_feedback(ws, FIXTURES / "survey.csv")
    rows = _rows(
        ws,
        "SELECT e.event_id, e.phone, e.touchpoint, e.channel, f.nps, f.csat, f.ces, f.text, "
        "f.sentiment, f.aspects FROM feedback f JOIN events e USING (seq) ORDER BY e.event_id",
    )
    first = rows[0]
    assert first[:8] == (
        "r1",
        "0903123456",
        "checkout",
        "web",
        10,
        5,
        2,
        "Giao hàng nhanh, đóng gói cẩn thận",
    )
    assert first[8] == "positive" and "delivery" in first[9]  # type: ignore[operator]
    r5 = next(r for r in rows if r[0] == "r5")
    assert r5[4:7] == (0, 1, 7) and r5[8] == "negative"
    r3 = next(r for r in rows if r[0] == "r3")  # no text: no sentiment, no aspects
    assert r3[7] is None and r3[8] is None and r3[9] == []
    # the research questions travel in the event's properties
    props = json.loads(
        str(ws.scalar("SELECT properties FROM events WHERE event_id = 'r1'")),
    )
    assert props["heard_from"] == "facebook" and props["compare_time"] == "1 tuần"


def test_review_stars_and_marketplace_channel(ws: Workspace) -> None:
    import_feedback(ws, FIXTURES / "shopee_reviews.csv")
    rows = _rows(
        ws,
        "SELECT e.event_id, e.channel, e.touchpoint, f.stars FROM feedback f "
        "JOIN events e USING (seq) ORDER BY 1",
    )
    assert rows == [
        ("260501ABC1", "shopee", "shopee:review", 5),
        ("260501ABC2", "shopee", "shopee:review", 2),
        ("260502XYZ9", "shopee", "shopee:review", 1),
    ]
    # dd/mm/yyyy read in the workspace's zone (UTC+7)
    ts = ws.scalar("SELECT CAST(ts AS VARCHAR) FROM events WHERE event_id = '260501ABC1'")
    assert ts == "2026-05-05 13:11:00"


def test_bad_rows_are_quarantined_with_line_field_and_both_languages(ws: Workspace) -> None:
    done = import_feedback(ws, FIXTURES / "survey.csv")
    assert done.result.quarantine is not None
    with Path(done.result.quarantine).open(encoding="utf-8") as fh:
        rows = {int(r["line"]): (r["field"], r["reason"]) for r in csv.DictReader(fh)}
    assert set(rows) == {7, 8, 9, 10}
    assert rows[7][0] == "nps" and "0 to 10" in rows[7][1] and "từ 0 đến 10" in rows[7][1]
    assert rows[8][0] == "identifier" and "định danh" in rows[8][1]
    assert rows[9][0] == "ts"  # the event import's own check
    assert rows[10][0] == "text" and "không có điểm" in rows[10][1]
    stars = import_feedback(ws, FIXTURES / "shopee_reviews.csv")
    with Path(stars.result.quarantine or "").open(encoding="utf-8") as fh:
        bad = [r for r in csv.DictReader(fh) if r["file"] == "shopee_reviews.csv"]
    assert [(r["line"], r["field"]) for r in bad] == [("5", "Số sao")]
    assert "1 to 5" in bad[0]["reason"]


def test_reimporting_the_same_file_adds_nothing(ws: Workspace) -> None:
    first = import_feedback(ws, FIXTURES / "tickets.csv")
    again = import_feedback(ws, FIXTURES / "tickets.csv")
    assert (first.result.accepted, first.feedback) == (3, 3)
    assert (again.result.accepted, again.result.duplicates, again.feedback) == (0, 3, 0)
    assert ws.scalar("SELECT count(*) FROM feedback") == 3
    assert ws.scalar("SELECT count(*) FROM events") == 3


def test_a_stopped_run_is_completed_by_the_next_import(ws: Workspace) -> None:
    import_feedback(ws, FIXTURES / "lazada_reviews.csv")
    ws.con.execute("DELETE FROM feedback")  # as if the run stopped after storing events
    again = import_feedback(ws, FIXTURES / "lazada_reviews.csv")
    assert (again.result.accepted, again.feedback) == (0, 2)


def test_feedback_lands_on_the_same_customer_as_the_phones_events(
    ws: Workspace, tmp_path: Path
) -> None:
    from journeyscope.identity.resolve import resolve

    orders = tmp_path / "orders.jsonl"
    orders.write_text(
        json.dumps(
            {
                "event_id": "o1",
                "ts": "2026-05-01T10:00:00+07:00",
                "event": "purchase",
                "channel": "web",
                "phone": "+84 903 123 456",
                "revenue": 250000,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    ingest_files(ws, [orders], load_mapping(None))
    import_feedback(ws, FIXTURES / "survey.csv")
    import_feedback(ws, FIXTURES / "lazada_reviews.csv")
    resolve(ws)
    customers = _rows(
        ws,
        "SELECT DISTINCT c.customer_id, e.event FROM events e JOIN event_customers c USING (seq) "
        "WHERE e.event_id IN ('o1', 'r1', '381234567001') ORDER BY e.event",
    )
    assert len(customers) == 3
    assert len({c for c, _ in customers}) == 1  # one person: purchase, review, survey


def test_a_file_without_customer_ids_is_refused_whole(ws: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "no_ids.csv"
    bad.write_text("submitted_at,nps,comment\n2026-05-01 10:00,9,tốt\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_feedback(ws, bad)
    assert caught.value.code == "missing_identifier"
    assert "phone" in caught.value.message_en and "khách hàng" in caught.value.message_vi
    assert ws.scalar("SELECT count(*) FROM events") == 0


def test_an_unknown_shape_names_the_missing_columns_and_suggests_a_mapping(
    ws: Workspace, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("Order Number,phone,Stars\n1,0903123456,5\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_feedback(ws, odd, kind="review")
    err = caught.value
    assert err.code == "unknown_feedback_shape"
    assert "Review Time" in err.message_en and "Rating" in err.message_en
    assert err.hint_en is not None and "-m" in err.hint_en


def test_a_mapping_names_the_columns_of_any_export(ws: Workspace, tmp_path: Path) -> None:
    export = tmp_path / "form.csv"
    export.write_text(
        "Dấu thời gian,SĐT,Điểm giới thiệu,Góp ý\n"
        "01/05/2026 10:00:00,0903123456,9,Nhân viên dễ thương\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "form.yaml"
    mapping.write_text(
        "source: google_form\n"
        "columns: {ts: Dấu thời gian, phone: SĐT}\n"
        "constants: {channel: survey, touchpoint: after_purchase}\n"
        "feedback: {kind: survey, nps: Điểm giới thiệu, text: Góp ý}\n",
        encoding="utf-8",
    )
    done = import_feedback(ws, export, mapping=mapping)
    assert (done.kind, done.result.accepted, done.feedback) == ("survey", 1, 1)
    assert _rows(ws, "SELECT nps, text FROM feedback") == [(9, "Nhân viên dễ thương")]
    copy = shutil.copy(mapping, tmp_path / "bad.yaml")
    Path(copy).write_text(
        mapping.read_text("utf-8").replace("nps: Điểm giới thiệu", "nps: Điểm"), "utf-8"
    )
    with pytest.raises(InputError) as caught:
        import_feedback(ws, export, mapping=Path(copy))
    assert caught.value.code == "missing_column" and "Điểm" in caught.value.message_en


def test_a_seller_centre_xlsx_export_is_read_too(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with (FIXTURES / "shopee_reviews.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            sheet.append(row)
    target = tmp_path / "Danh_gia_shop.xlsx"
    book.save(target)
    done = import_feedback(ws, target)
    assert (done.shape, done.result.accepted, done.result.rejected) == ("shopee", 3, 1)
    assert _rows(ws, "SELECT stars FROM feedback ORDER BY stars") == [(1,), (2,), (5,)]


def test_a_review_export_without_phones_takes_the_buyer_of_its_order(
    ws: Workspace, tmp_path: Path
) -> None:
    from journeyscope.identity.resolve import resolve

    mapping = tmp_path / "shopee.yaml"
    mapping.write_text(
        "source: shopee\n"
        "columns: {event_id: Mã đơn hàng, ts: Ngày đặt hàng, phone: Số điện thoại, "
        "revenue: Tổng giá trị}\n"
        "constants: {event: purchase, channel: shopee}\n",
        encoding="utf-8",
    )
    ingest_files(ws, [FIXTURES / "shopee_orders.csv"], load_mapping(mapping))
    done = import_feedback(ws, FIXTURES / "shopee_reviews_seller_centre.csv")
    assert (done.shape, done.result.accepted, done.result.rejected) == ("shopee", 2, 1)
    with Path(done.result.quarantine or "").open(encoding="utf-8") as fh:
        (bad,) = list(csv.DictReader(fh))
    assert (bad["line"], bad["field"]) == ("4", "identifier")  # an order nobody imported
    resolve(ws)
    pairs = _rows(
        ws,
        "SELECT e.event_id, count(DISTINCT c.customer_id), count(*) FROM events e "
        "JOIN event_customers c USING (seq) GROUP BY 1 ORDER BY 1",
    )
    assert pairs == [("260501ABC1", 1, 2), ("260502XYZ9", 1, 2)]  # order and review: one person
    assert ws.scalar("SELECT count(*) FROM events WHERE source = 'shopee_reviews'") == 2


def test_forgetting_a_person_removes_what_they_wrote(ws: Workspace) -> None:
    """Decree 13/2023: a forgotten person's reviews and survey answers go with their events."""
    from journeyscope.identity.forget import forget
    from journeyscope.identity.resolve import resolve

    import_feedback(ws, FIXTURES / "survey.csv")
    resolve(ws)
    before = int(ws.scalar("SELECT count(*) FROM feedback"))
    forget(ws, "phone:+84 903 123 456")
    after = int(ws.scalar("SELECT count(*) FROM feedback"))
    assert 0 < after < before
    orphans = ws.scalar("SELECT count(*) FROM feedback WHERE seq NOT IN (SELECT seq FROM events)")
    assert orphans == 0
