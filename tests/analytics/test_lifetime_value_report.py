"""Customer value on a workspace: the per-buyer summary on every engine, the BG/NBD churn
risk and value in the retention report, its fallback, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from journeyscope.analytics.lifetime_report import ValueSpec, customer_summary, lifetime_on
from journeyscope.analytics.lifetime_value import fit_bgnbd
from journeyscope.analytics.scope import Scope
from journeyscope.app import run
from journeyscope.app.queries import RetentionQuery
from journeyscope.engine.runner import Runner
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve
from tests.conftest import MakeWorkspace, Result

Cli = Callable[..., Result]
START = datetime(2024, 1, 1, 9)


def _buy(user: str, when: datetime, revenue: float, **extra: Any) -> dict[str, Any]:
    row = {"user_id": user, "event": "purchase", "ts": when.isoformat() + "Z", "revenue": revenue}
    return row | extra


def _histories(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` customers buying like BG/NBD says over 26 weeks (a page view each too)."""
    rng = np.random.default_rng(seed)
    events: list[dict[str, Any]] = []
    for i in range(n):
        user, rate, drop = f"u{i}", rng.gamma(1.0, 0.4), rng.beta(1.5, 4.0)
        # Gamma-Gamma's spend: each customer's own scale ν ~ Gamma(q=4, 1/γ), z ~ Gamma(p=3, ν)
        nu = rng.gamma(4.0, 1 / 1_500_000)
        now = float(rng.uniform(0, 120))  # first purchase, days after START
        phone = f"09030{i:05d}"
        events.append(
            {
                "user_id": user,
                "phone": phone,
                "event": "page_view",
                "ts": (START + timedelta(days=now)).isoformat() + "Z",
            }
        )
        while now < 182:
            amount = float(rng.gamma(3.0, 1 / nu))
            events.append(_buy(user, START + timedelta(days=now), round(amount, -3)))
            if rng.random() < drop:
                break
            now += float(rng.exponential(7 / rate))
    return events


def _workspace_dir(root: Path, events: list[dict[str, Any]]) -> Path:
    """A closed workspace folder (the CLI opens it itself), time zone UTC."""
    ws = Workspace.init(root, WorkspaceConfig(timezone="UTC"))
    src = root / "events.jsonl"
    src.write_text("\n".join(json.dumps({"channel": "web", **e}) for e in events), "utf-8")
    ingest_files(ws, [src], load_mapping(None))
    resolve(ws)
    ws.close()
    return root


# -- the per-buyer summary, on every engine ----------------------------------------------


def test_summary_counts_purchase_days_until_the_calibration_end(
    make_workspace: MakeWorkspace, on_engine: Callable[[Workspace], Runner]
) -> None:
    ws = make_workspace(
        [
            _buy("alice", datetime(2024, 1, 1, 9), 100),
            _buy("alice", datetime(2024, 1, 1, 18), 50),  # same day: one purchase occasion
            _buy("alice", datetime(2024, 1, 15, 9), 80),
            _buy("alice", datetime(2024, 2, 12, 9), 40),
            _buy("alice", datetime(2024, 4, 2, 9), 999),  # after --to: not read
            _buy("bob", datetime(2024, 3, 3, 9), 70),
            {"user_id": "carol", "event": "page_view", "ts": "2024-03-30T10:00:00Z"},
        ]
    )
    s = customer_summary(on_engine(ws), Scope.parse(ws, None, "2024-03-31", None))
    assert s.calibration_end.isoformat() == "2024-03-31"
    got = {
        int(c): (x, round(tx * 7), round(t * 7), None if np.isnan(m) else m)
        for c, x, tx, t, m in zip(s.customer_id, s.x, s.t_x, s.t, s.repeat_spend, strict=True)
    }
    assert sorted(got.values(), key=lambda v: -v[0]) == [
        (2.0, 42, 90, 60.0),  # alice: 15 Jan and 12 Feb after 1 Jan; (80 + 40) / 2
        (0.0, 0, 28, None),  # bob: one purchase, 28 days before the end; carol bought nothing
    ]
    # without --to, the calibration ends on the day of the last event read
    last = customer_summary(on_engine(ws), Scope())
    assert last.calibration_end.isoformat() == "2024-04-02"


def test_lifetime_is_the_same_on_every_engine(
    make_workspace: MakeWorkspace, on_engine: Callable[[Workspace], Runner]
) -> None:
    ws = make_workspace(_histories(80, seed=3))
    spec = ValueSpec(min_repeat_buyers=10, min_spend_buyers=10)
    scope = Scope.parse(ws, None, "2024-06-30", None)
    here = lifetime_on(Runner(ws), spec, scope)
    there = lifetime_on(on_engine(ws), spec, scope)
    assert there == here
    assert here["churn"]["method"] == "bgnbd"


# -- the report --------------------------------------------------------------------------


def test_bgnbd_report_fits_the_buyers_and_lists_who_they_are(
    make_workspace: MakeWorkspace,
) -> None:
    ws = make_workspace(_histories(150, seed=5))
    report = run(RetentionQuery(model="bgnbd", until="2024-06-30", horizon="30d"), ws)
    data = report.for_language("en")
    value, churn = data["lifetime"], data["churn"]
    s = customer_summary(Runner(ws), Scope.parse(ws, None, "2024-06-30", None))
    model = fit_bgnbd(s.x, s.t_x, s.t)
    assert value["r"] == pytest.approx(model.r, rel=1e-5)
    assert (value["alpha"], value["a"], value["b"]) == pytest.approx(
        (model.alpha, model.a, model.b), rel=1e-5
    )
    assert value["time_unit"] == "weeks" and value["calibration_end"] == "2024-06-30"
    assert value["fit"]["converged"] and value["fit"]["customers"] == len(s.x) == 150
    assert value["currency"] == "VND" and value["horizon_days"] == 30
    assert isinstance(value["expected_value"], int)  # VND has no minor unit
    # every listed customer: P(alive) and expected purchases from the fitted model
    index = {int(c): i for i, c in enumerate(s.customer_id)}
    for row in value["top"] + churn["top"]:
        i = index[row["customer_id"]]
        want = model.p_alive(s.x[i : i + 1], s.t_x[i : i + 1], s.t[i : i + 1])[0]
        assert row["p_alive"] == pytest.approx(want, abs=1e-4)
        assert row["risk"] == pytest.approx(1 - row["p_alive"], abs=2e-4)
        assert row["user_id"].startswith("u") and row["phone"].startswith("+84")
        assert isinstance(row["expected_value"], int)
    ranked = [row["expected_value"] for row in value["top"]]
    assert ranked == sorted(ranked, reverse=True)
    assert churn["method"] == "bgnbd" and churn["customers"] == 150
    assert churn["at_risk"] == sum(
        1 for p in model.p_alive(s.x, s.t_x, s.t) if 1 - p >= churn["threshold"]
    )
    assert all(row["risk"] >= 0.95 for row in churn["top"])


def test_too_few_repeat_buyers_keeps_the_heuristic_and_says_why(
    make_workspace: MakeWorkspace,
) -> None:
    ws = make_workspace(
        [_buy(f"u{i}", START + timedelta(days=i), 100_000) for i in range(30)]
        + [_buy("u1", START + timedelta(days=40), 100_000)]
    )
    report = run(RetentionQuery(model="bgnbd"), ws)
    data = report.for_language("en")
    assert data["churn"]["method"] == "heuristic"
    assert data["churn"]["method_reason"] == "too_few_repeat_buyers"
    assert data["lifetime"]["fallback"] == {
        "reason": "too_few_repeat_buyers",
        "repeat_buyers": 1,
        "needed": 20,
    }
    assert [n.code for n in report.notes] == ["bgnbd_too_few_repeat_buyers"]
    default = run(RetentionQuery(), ws).for_language("en")
    assert "lifetime" not in default and default["churn"]["method"] == "heuristic"


# -- the CLI -----------------------------------------------------------------------------


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return _workspace_dir(tmp_path / "shop", _histories(120, seed=8))


def test_cli_json_and_table(cli: Cli, shop: Path) -> None:
    done = cli(
        "retention",
        "-w",
        shop,
        "--model",
        "bgnbd",
        "--to",
        "2024-06-30",
        "--horizon",
        "90d",
        "--json",
    )
    assert done.code == 0, done.err
    value = done.json()["lifetime"]
    assert {"r", "alpha", "a", "b", "fit", "spend", "top"} <= set(value)
    assert value["spend"]["fitted"] and value["spend"]["p"] > 0
    table = cli("retention", "-w", shop, "--model", "bgnbd", "--to", "2024-06-30")
    assert table.code == 0 and "P(alive)" in table.out and "r = " in table.out
    vi = cli("--lang", "vi", "retention", "-w", shop, "--model", "bgnbd")
    assert vi.code == 0 and "P(còn mua)" in vi.out and "BG/NBD" in vi.out


def test_cli_refuses_a_calibration_before_any_purchase(cli: Cli, shop: Path) -> None:
    early = cli("retention", "-w", shop, "--model", "bgnbd", "--to", "2023-01-01", "--json")
    assert early.code == 2
    error = json.loads(early.out)["error"]
    assert error["code"] == "no_purchases" and "--to" in error["message"]
    vi = cli("--lang", "vi", "retention", "-w", shop, "--model", "bgnbd", "--to", "2023-01-01")
    assert vi.code == 2 and "không có sự kiện" in vi.err and "Traceback" not in vi.err
    bad = cli("retention", "-w", shop, "--model", "pareto", "--json")
    assert bad.code == 2 and json.loads(bad.out)["error"]["code"] == "invalid_option"
    horizon = cli("retention", "-w", shop, "--model", "bgnbd", "--horizon", "soon", "--json")
    assert horizon.code == 2 and json.loads(horizon.out)["error"]["code"] == "invalid_duration"


def test_cli_refuses_a_workspace_without_purchases(cli: Cli, tmp_path: Path) -> None:
    views = [
        {"user_id": f"u{i}", "event": "page_view", "ts": f"2024-01-0{i + 1}T10:00:00Z"}
        for i in range(5)
    ]
    ws = _workspace_dir(tmp_path / "views", views)
    done = cli("retention", "-w", ws, "--model", "bgnbd")
    assert done.code == 2 and "Traceback" not in done.err
    assert done.err.startswith("--purchase: error[unknown_event]") and "page_view" in done.err
    vi = cli("--lang", "vi", "retention", "-w", ws, "--model", "bgnbd", "--json")
    error = json.loads(vi.out)["error"]
    assert vi.code == 2 and error["location"]["field"] == "--purchase"
    assert error["message"] != done.err.split("]: ", 1)[1].splitlines()[0]  # said in Vietnamese
