"""The analytics on real public data, imported with the mappings shipped in examples/,
checked against answers computed independently from the source files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.paths import PathSpec, paths
from journeyscope.analytics.retention import RetentionSpec, retention
from journeyscope.analytics.scope import Scope, parse_steps
from journeyscope.analytics.stages import StageSpec, stages
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints
from journeyscope.app.operations import attribution
from journeyscope.app.queries import AttributionQuery
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.profiles import profile
from journeyscope.identity.resolve import resolve
from tests.conftest import shared_data

EXAMPLES = Path(__file__).parents[2] / "examples"
UCI = ("uci-online-retail", "online_retail_2010-12-01_2011-12-09.csv.gz")


@pytest.fixture(scope="module")
def uci(tmp_path_factory: pytest.TempPathFactory) -> Any:
    source = shared_data(*UCI)
    root = tmp_path_factory.mktemp("uci") / "ws"
    ws = Workspace.init(root, WorkspaceConfig(timezone="Europe/London", currency="GBP"))
    ingest_files(ws, [source], load_mapping(EXAMPLES / "uci-online-retail.yaml"))
    resolve(ws)
    yield ws, source
    ws.close()


@pytest.mark.shared_data
def test_uci_monthly_cohorts_equal_an_independent_count(uci: Any) -> None:
    ws, source = uci
    report = retention(ws, RetentionSpec(period="month"), Scope())
    truth = duckdb.sql(
        f"""WITH r AS (
            SELECT CAST(CAST(CustomerID AS DOUBLE) AS BIGINT) AS c,
                   date_trunc('month', CAST(InvoiceDate AS TIMESTAMP)) AS m
            FROM read_csv('{source}', all_varchar = true) WHERE CustomerID IS NOT NULL
        ), f AS (SELECT c, min(m) AS cohort FROM r GROUP BY c)
        SELECT strftime(f.cohort, '%Y-%m'), date_diff('month', f.cohort, r.m) AS k,
               count(DISTINCT r.c)
        FROM f JOIN r USING (c) GROUP BY ALL ORDER BY 1, 2"""
    ).fetchall()
    expected: dict[str, dict[int, int]] = {}
    for cohort, k, n in truth:
        expected.setdefault(cohort, {})[k] = n
    ours = {c["cohort"]: {k: n for k, n in enumerate(c["counts"]) if n} for c in report["cohorts"]}
    assert ours == expected
    assert ours["2010-12"][0] == 948  # the December 2010 cohort, as the literature counts it
    buyers = uci_orders(source).query("~refund")["customer"].nunique()
    assert report["rfm"]["customers"] == buyers == 4_339  # 33 customers only cancelled
    assert report["churn"]["customers"] == 4_372


@pytest.mark.shared_data
def test_uci_repeat_purchase_funnel_stages_touchpoints(uci: Any) -> None:
    ws, _ = uci
    report = funnel(
        ws, FunnelSpec(parse_steps("purchase,purchase"), window=timedelta(days=90)), Scope()
    )
    first, again = (s["customers"] for s in report["steps"])
    assert first == 4_339 and 0 < again < first
    # orders, not invoice lines: a second order comes on a later invoice, hours or days on
    assert report["steps"][1]["median_seconds"] > 3_600
    st = {s["stage"]: s for s in stages(ws, StageSpec(), Scope())["stages"]}
    assert st["purchase"]["customers"] == 4_339
    assert 0 < st["loyalty"]["customers"] < 4_339  # repeat buyers
    tp = touchpoints(ws, TouchpointSpec(), Scope())["touchpoints"]
    assert {t["touchpoint"] for t in tp} == {"web:purchase", "web:refund"}
    uk = funnel(
        ws,
        FunnelSpec(parse_steps("purchase")),
        Scope.parse(ws, None, None, "Country = 'United Kingdom'"),
    )
    assert 0 < uk["steps"][0]["customers"] < 4_372


def uci_orders(source: Path) -> pd.DataFrame:
    """One row per invoice, computed from the source lines with pandas alone."""
    lines = pd.read_csv(source, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    lines["amount"] = lines["Quantity"] * lines["UnitPrice"]
    orders = lines.groupby("InvoiceNo").agg(
        customer=("CustomerID", "first"), revenue=("amount", "sum")
    )
    orders["refund"] = orders.index.str.startswith("C")
    orders["adjustment"] = orders.index.str.startswith("A")
    return orders


@pytest.mark.shared_data
def test_uci_orders_refunds_and_revenue_equal_pandas(uci: Any) -> None:
    """One purchase per invoice, one refund per cancellation, net revenue per customer."""
    ws, source = uci
    truth = uci_orders(source)
    counts = dict(ws.con.execute("SELECT event, count(*) FROM events GROUP BY 1").fetchall())
    assert counts == {
        "purchase": int((~truth.refund & ~truth.adjustment).sum()),
        "refund": int(truth.refund.sum()),
        "bad_debt_adjustment": int(truth.adjustment.sum()),
    }
    assert counts["purchase"] + counts["refund"] == 25_897  # not 541,909 lines
    ours = dict(
        ws.con.execute(
            "SELECT user_id, sum(revenue) FROM events WHERE user_id IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    expected = truth.dropna(subset=["customer"]).groupby("customer")["revenue"].sum()
    assert ours.keys() == set(expected.index)
    assert max(abs(ours[c] - v) for c, v in expected.items()) < 1e-6
    card = profile(ws, "user_id:17850")
    mine = truth[truth.customer == "17850.0"]
    assert card["orders"] == int((~mine.refund).sum()) == 34
    assert card["refunds"] == int(mine.refund.sum()) == 1
    assert card["revenue"] == pytest.approx(round(mine.revenue.sum(), 2))
    assert card["currency"] == "GBP" and card["first_seen"] == "2010-12-01T08:26:00+00:00"
    known = truth.dropna(subset=["customer"])
    credited = attribution(ws, AttributionQuery(model="last")).model_dump()
    # every order of a known customer converts once (not 406,829 invoice lines)
    assert credited["total_conversions"] == int((~known.refund & ~known.adjustment).sum())


@pytest.mark.shared_data
def test_receipt_log_paths_and_funnel(tmp_path: Path) -> None:
    """The WABO receipt process as journeys: paths, a process funnel, and its time."""
    source = shared_data("pm4py-eventlogs", "receipt.csv")
    ws = Workspace.init(tmp_path / "ws", WorkspaceConfig(timezone="Europe/Amsterdam"))
    result = ingest_files(ws, [source], load_mapping(EXAMPLES / "pm4py-eventlog.yaml"))
    assert result.files[0].accepted == 8_577
    resolve(ws)
    report = paths(ws, PathSpec(), Scope())
    assert report["variants"]["customers"] == 1_434
    assert sum(report["starts"].values()) == 1_434
    steps = "confirmation_of_receipt,t02_check_confirmation_of_receipt"
    flow = funnel(ws, FunnelSpec(parse_steps(steps), window=timedelta(days=30)), Scope())
    assert flow["steps"][0]["customers"] > flow["steps"][1]["customers"] > 0
    assert flow["steps"][1]["median_seconds"] > 0
    ws.close()
