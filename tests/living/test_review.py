"""`journeyscope map review` on the demo's shop with planted incidents: the Android
checkout break is flagged, quiet weeks move nothing, every number is the number
`map render -w --from --to` shows for its period, and bad input is refused clearly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result

Cli = Callable[..., Result]
INCIDENT = ("2026-03-09", "2026-03-29")  # events.demo_data.CHECKOUT_BREAK
QUIET = ("2026-06-08", "2026-06-28")  # after the 6.6 sale's week, nothing planted
CROWD = ("2026-05-25", "2026-06-05")  # the period before holds the TikTok crowd (12–14.5)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(resolved workspace, the map `map generate` draws from all of it)."""
    from journeyscope.app.generate import generate as draw
    from journeyscope.demo.run import import_sources
    from journeyscope.events.demo_data import generate
    from journeyscope.events.workspace import Workspace
    from journeyscope.identity.resolve import resolve
    from journeyscope.maps.io import dump_document

    base = tmp_path_factory.mktemp("review")
    facts = generate(base / "src", 3000, 7, incidents=True)
    with Workspace.init(base / "ws") as ws:  # as `journeyscope demo` does: feedback too
        import_sources(ws, base / "src", facts, feedback_to=base)
        resolve(ws)
        m = draw(ws, lang="en")
    path = base / "current.yaml"
    path.write_text(dump_document(m, "yaml"), "utf-8")
    return base / "ws", path


def _review(shop: tuple[Path, Path], since: str | None, until: str | None = None) -> Any:
    from journeyscope.app.operations import open_workspace
    from journeyscope.app.review import review_map
    from journeyscope.maps.validate import load_map

    checked = load_map(shop[1])
    assert checked.map is not None
    with open_workspace(shop[0]) as ws:
        report, _ = review_map(ws, checked.map, since, until)
    return report


def _all(report: Any) -> list[Any]:
    return [*report.cells, *report.pains, *report.emotions]


def test_the_android_checkout_break_is_flagged_worse(shop: tuple[Path, Path]) -> None:
    report = _review(shop, *INCIDENT)
    assert report.before.model_dump() == {"from": "2026-02-16", "to": "2026-03-08", "days": 21}
    assert report.after.model_dump() == {"from": "2026-03-09", "to": "2026-03-29", "days": 21}
    moved = [i for i in _all(report) if i.status == "moved"]
    checkout = [
        i
        for i in moved
        if (i.subject or "").endswith("checkout") or (i.kind == "cell" and i.stage == "purchase")
    ]
    assert checkout, [(i.kind, i.subject) for i in moved]
    assert all(i.direction == "worse" for i in checkout)
    assert any(p.subject == "app:/checkout" for p in report.new_pains)
    flagged = checkout[0]
    assert flagged.p_value is not None and flagged.p_value < 0.001
    assert flagged.ci95 is not None and flagged.ci95[1] < 0  # the whole interval is a fall
    assert not report.nothing_moved


def test_quiet_weeks_move_nothing(shop: tuple[Path, Path]) -> None:
    report = _review(shop, *QUIET)
    assert report.tested > 10
    assert report.nothing_moved and report.moved == 0, [
        (i.kind, i.subject, i.p_value) for i in _all(report) if i.status == "moved"
    ]


def test_numbers_equal_the_rendered_map_for_each_period(shop: tuple[Path, Path]) -> None:
    from journeyscope.app.living import map_values
    from journeyscope.app.operations import open_workspace
    from journeyscope.maps.validate import load_map

    report = _review(shop, *INCIDENT)
    checked = load_map(shop[1])
    assert checked.map is not None
    with open_workspace(shop[0]) as ws:
        before = map_values(ws, checked.map, "2026-02-16", "2026-03-08")
        after = map_values(ws, checked.map, *INCIDENT)
    assert len(report.cells) == len(after) > 0
    for cell, old, new in zip(report.cells, before, after, strict=True):
        assert (cell.stage, cell.index, cell.subject) == (new.stage, new.index, new.expression)
        assert (cell.before.value, cell.before.n) == (old.value, old.n)
        assert (cell.after.value, cell.after.n) == (new.value, new.n)
    untested = {c.metric for c in report.cells if c.status == "not_tested"}
    assert untested == {"stage_reach", "stage_time"}
    assert all(c.reason for c in report.cells if c.status == "not_tested")


def test_a_moved_cell_is_marked_on_the_drawn_map(
    cli: Cli, shop: tuple[Path, Path], tmp_path: Path
) -> None:
    svg = tmp_path / "review.svg"
    args = ["map", "review", shop[1], "-w", shop[0], "--since", CROWD[0], "--to", CROWD[1]]
    result = cli(*args, "--json", "--svg", svg)
    assert result.code == 0, result.err
    data = result.json()
    moved = [c for c in data["cells"] if c["status"] == "moved"]
    assert moved, "the TikTok crowd before the period changes the awareness conversion"
    drawn = svg.read_text("utf-8")
    assert "▲" in drawn or "▼" in drawn
    table = cli(*args, "--lang", "vi")
    assert table.code == 0, table.err
    assert "thay đổi đáng kể" in table.out
    quiet = cli("map", "review", shop[1], "-w", shop[0], "--since", QUIET[0], "--to", QUIET[1])
    assert "Nothing moved significantly" in quiet.out


def test_a_period_before_the_data_says_no_data(shop: tuple[Path, Path]) -> None:
    report = _review(shop, "2026-01-01", "2026-01-14")
    reach = next(c for c in report.cells if c.metric == "stage_reach")
    assert reach.status == "no_data" and reach.before.value is None  # never 0
    assert reach.after.value is not None


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ([], "missing_since"),
        (["--since", "2027-01-01"], "since_after_data"),
        (["--since", "2026-05-01", "--to", "2026-04-01"], "invalid_period"),
        (["--since", "May first"], "invalid_date"),
        (["--since", "2026-05-01", "--sensitivity", "loud"], "unknown_sensitivity"),
    ],
)
def test_bad_periods_are_refused(
    cli: Cli, shop: tuple[Path, Path], extra: list[str], code: str
) -> None:
    result = cli("map", "review", shop[1], "-w", shop[0], *extra)
    assert result.code == 2 and code in result.err, result.err


def test_a_map_without_bindings_is_refused(cli: Cli, shop: tuple[Path, Path]) -> None:
    plain = Path(__file__).parents[2] / "examples" / "maps"
    unbound = next(p for p in sorted(plain.glob("*.yaml")) if "metric:" not in p.read_text("utf-8"))
    result = cli("map", "review", unbound, "-w", shop[0], "--since", "2026-05-01")
    assert result.code == 2 and "no_bindings" in result.err, result.err
    vi = cli("--lang", "vi", "map", "review", unbound, "-w", shop[0], "--since", "2026-05-01")
    assert "không có ô nào gắn dữ liệu" in vi.err


def test_rest_route_reviews_a_saved_map(shop: tuple[Path, Path]) -> None:
    """GET .../maps/{map}/review: the report `map review --json` prints, for a read key."""
    from fastapi.testclient import TestClient

    from journeyscope.server.app import Limits, create_app
    from tests.server.conftest import add_key, bearer

    root, path = shop
    (root / "maps").mkdir(exist_ok=True)
    (root / "maps" / "current.yaml").write_text(path.read_text("utf-8"), "utf-8")
    read = add_key(root, "read")
    api = "/api/v1/workspaces/shop/maps/current/review"
    app = create_app({"shop": root}, limits=Limits(0, 0))
    with TestClient(app, raise_server_exceptions=False) as client:
        got = client.get(
            api, params={"since": INCIDENT[0], "until": INCIDENT[1]}, headers=bearer(read)
        )
        assert got.status_code == 200, got.text
        assert any(p["subject"] == "app:/checkout" for p in got.json()["new_pains"])
        missing = client.get(api, headers=bearer(read))
        assert missing.status_code == 400
        assert missing.json()["error"]["code"] == "missing_since"


def test_moved_pains_are_drawn_in_a_lane_of_their_own(
    cli: Cli, shop: tuple[Path, Path], tmp_path: Path
) -> None:
    svg = tmp_path / "incident.svg"
    args = ["map", "review", shop[1], "-w", shop[0], "--since", INCIDENT[0], "--to", INCIDENT[1]]
    result = cli(*args, "--svg", svg)
    assert result.code == 0, result.err
    drawn = svg.read_text("utf-8")
    assert "converted after app:/checkout" in drawn and "▼" in drawn
    assert "Moved: 2026-03-09" in drawn and "against 2026-02-16" in drawn  # the lane's title


def test_welch_matches_scipy_and_the_verdict_needs_a_large_change() -> None:
    """The mean test equals scipy's Welch t-test; a significant but tiny change is steady."""
    from scipy import stats

    from journeyscope.app.review import decide, means, shares
    from journeyscope.insights.stats import SENSITIVITIES
    from journeyscope.living.review import Compared, Side

    before = [0.5, 1.0, -0.5, 2.0, 1.5, 0.0, 1.0, 1.5]
    after = [-1.0, -0.5, 0.0, -2.0, -1.5, 0.5, -1.0]
    item = Compared("emotion", "service", None, "emotion", Side(), Side(), "better")
    tested = means(item, before, after)
    expected = stats.ttest_ind(after, before, equal_var=False)
    assert tested.p_value == pytest.approx(float(expected.pvalue), rel=1e-9)
    assert tested.ci is not None and tested.ci[1] < 0 < tested.ci[1] + 3

    def share(k0: int, n0: int, k1: int, n1: int) -> Compared:
        sides = Side(k0 / n0, n0, k0), Side(k1 / n1, n1, k1)
        return shares(Compared("dropoff", "purchase", "x", "%", *sides, "worse"))

    big = share(300, 1000, 500, 1000)  # 30 % → 50 %
    tiny = share(30_000, 100_000, 31_000, 100_000)  # 30 % → 31 %: p tiny, change small
    decided = decide([big, tiny], SENSITIVITIES["medium"])
    assert [d.status for d in decided] == ["moved", "steady"]
    assert decided[0].direction == "worse"
    assert tiny.p_value is not None and tiny.p_value < 1e-5
