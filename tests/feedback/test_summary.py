"""`feedback summary`: numbers worked out by hand on the fixture, NPS edge cases, periods,
and the REST route that calls the same function."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from journeyscope.errors import InputError
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.feedback.importing import import_feedback
from journeyscope.feedback.summary import feedback_summary

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    opened = Workspace.init(tmp_path / "shop", WorkspaceConfig(timezone="Asia/Ho_Chi_Minh"))
    yield opened
    opened.close()


def _survey(tmp_path: Path, nps: list[str]) -> Path:
    lines = ["phone,submitted_at,nps"]
    lines += [f"09030000{i:02d},2026-05-01 10:{i:02d},{v}" for i, v in enumerate(nps)]
    path = tmp_path / "nps.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_numbers_by_hand_on_the_survey_fixture(ws: Workspace) -> None:
    import_feedback(ws, FIXTURES / "survey.csv")
    report = feedback_summary(ws, "touchpoint")
    # stored: r1 10/5/2, r2 9/4/3, r3 7/4/-, r4 3/2/6 (checkout: r1 r2 r4), r5 0/1/7
    total = report.total
    assert total.responses == 5
    assert (total.nps.promoters, total.nps.passives, total.nps.detractors) == (2, 1, 2)
    assert total.nps.value == 0.0 and total.nps.n == 5
    assert (total.csat.value, total.csat.n) == (3.2, 5)  # (5+4+4+2+1)/5
    assert (total.ces.value, total.ces.n) == (4.5, 4)  # (2+3+6+7)/4
    assert (total.stars.value, total.stars.n) == (None, 0)  # no data, never 0
    checkout = next(g for g in report.groups if g.key == "checkout")
    assert checkout.responses == 3
    assert checkout.nps.value == round(100 * (2 - 1) / 3, 1)
    assert checkout.csat.value == round((5 + 4 + 2) / 3, 2)
    assert checkout.ces.value == round((2 + 3 + 6) / 3, 2)
    assert report.groups[0].key == "checkout"  # most answers first
    texts = total.sentiment.n
    assert texts == 4  # r3 has no text
    shares = (total.sentiment.positive, total.sentiment.neutral, total.sentiment.negative)
    assert sum(s or 0 for s in shares) == pytest.approx(1.0, abs=1e-3)
    delivery = next(a for a in total.aspects if a.aspect == "delivery")
    assert delivery.texts == 3  # r1 "giao hàng", r4 "ship", r5 "shipper"


def test_stars_by_channel_and_kind(ws: Workspace) -> None:
    for name in ("shopee_reviews.csv", "lazada_reviews.csv", "tickets.csv"):
        import_feedback(ws, FIXTURES / name)
    by_channel = {g.key: g for g in feedback_summary(ws, "channel").groups}
    assert by_channel["shopee"].stars.value == round((5 + 2 + 1) / 3, 2)
    assert by_channel["lazada"].stars.value == 2.5
    assert by_channel["zalo"].csat.value == 4.0 and by_channel["zalo"].csat.n == 1
    by_kind = {g.key: g.responses for g in feedback_summary(ws, "kind").groups}
    assert by_kind == {"review": 5, "ticket": 3}


@pytest.mark.parametrize(
    ("answers", "value", "split"),
    [
        (["9", "10", "10"], 100.0, (3, 0, 0)),
        (["0", "6", "6"], -100.0, (0, 0, 3)),
        (["7", "8"], 0.0, (0, 2, 0)),
        (["6", "7", "8", "9"], 0.0, (1, 2, 1)),  # the boundaries: 6 detracts, 9 promotes
        (["10", "10", "0"], 33.3, (2, 0, 1)),
    ],
)
def test_nps_edge_cases(
    ws: Workspace, tmp_path: Path, answers: list[str], value: float, split: tuple[int, int, int]
) -> None:
    import_feedback(ws, _survey(tmp_path, answers), kind="survey")
    nps = feedback_summary(ws).total.nps
    assert nps.value == value
    assert (nps.promoters, nps.passives, nps.detractors) == split
    assert nps.n == len(answers)


def test_no_feedback_is_no_data_not_zero(ws: Workspace) -> None:
    report = feedback_summary(ws, "channel")
    assert report.groups == []
    assert report.total.responses == 0
    assert report.total.nps.value is None and report.total.csat.value is None
    assert report.total.sentiment.positive is None


def test_the_period_is_read_in_the_workspace_zone(ws: Workspace) -> None:
    import_feedback(ws, FIXTURES / "survey.csv")
    day = feedback_summary(ws, since="2026-05-03", until="2026-05-03").total
    assert day.responses == 2  # r3 and r4, local times
    assert feedback_summary(ws, since="2026-06-01").total.nps.value is None
    with pytest.raises(InputError) as caught:
        feedback_summary(ws, since="tuần trước")
    assert caught.value.code == "invalid_date"
    with pytest.raises(InputError) as beyond:  # the day after 9999-12-31 does not exist
        feedback_summary(ws, until="9999-12-31")
    assert beyond.value.code == "invalid_date"
    with pytest.raises(InputError):
        feedback_summary(ws, by="stage_x")


def test_a_forgotten_events_feedback_no_longer_counts(ws: Workspace) -> None:
    import_feedback(ws, FIXTURES / "survey.csv")
    ws.con.execute("DELETE FROM events WHERE event_id = 'r5'")
    total = feedback_summary(ws).total
    assert total.responses == 4 and total.nps.detractors == 1
