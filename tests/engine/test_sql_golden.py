"""SQL golden files: the main queries, rendered for each engine's dialect, so a change to a
query shows in review (``pytest --snapshot-update`` rewrites them after an intended one).
The parameters are written beside the text: values never enter SQL text."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from journeyscope.analytics import funnels, paths, retention, stages, touchpoints
from journeyscope.analytics.scope import parse_steps
from journeyscope.engine.dialect import SparkSql, Sql

DIALECTS = {"duckdb": Sql, "spark": SparkSql}


def _funnel(q: Sql) -> str:
    spec = funnels.FunnelSpec(
        parse_steps("product_view[category=bags],add_to_cart,purchase"),
        timedelta(days=7),
        "ordered",
        parse_steps("refund", "--exclude"),
        "channel",
    )
    rows = funnels.row_sql(spec, q)
    return f"SELECT {rows.columns} FROM events e WHERE {rows.keep}"


def _stages(q: Sql) -> str:
    model, rules = stages.rules_for("retail5", None, [])
    return f"SELECT {stages.stage_case(model, rules, q)} AS stage FROM events e"


def _touchpoints(q: Sql) -> str:
    spec = touchpoints.TouchpointSpec()
    return touchpoints._marked_sql(q, spec) + "\n-- report\n" + touchpoints._report_sql(q, spec)


QUERIES: dict[str, Callable[[Sql], str]] = {
    "funnel_rows": _funnel,
    "paths_sessions": lambda q: paths._sessions_sql(q, 1800.0),
    "stages_case": _stages,
    "stages_per_stage": lambda q: stages._per_stage_sql(q, 30 * 86400.0),
    "touchpoints": _touchpoints,
    "retention_rfm": lambda q: retention._rfm_sql(q, "purchase"),
    "retention_churn": lambda q: retention._churn_sql(q, retention.RetentionSpec()),
}


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("query", sorted(QUERIES))
def test_sql_golden(query: str, dialect: str, golden: Callable[[str, str], None]) -> None:
    q = DIALECTS[dialect]()
    text = QUERIES[query](q)
    params = json.dumps(q.params, ensure_ascii=False, sort_keys=True, default=str, indent=1)
    golden(f"{text.strip()}\n-- parameters\n{params}\n", "sql")
