"""The demo's analytics: what the report shows about the journeys, computed from the data."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any

from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.paths import PathSpec, paths
from journeyscope.analytics.retention import RetentionSpec, retention
from journeyscope.analytics.scope import Scope, parse_steps
from journeyscope.analytics.stages import StageSpec, stages
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import format_number
from journeyscope.render.charts import cohort_heatmap, funnel_chart, sankey_chart

FUNNEL = "product_view,add_to_cart,checkout,purchase"


def analyse(ws: Workspace) -> dict[str, Any]:
    """Funnel, stages, worst touchpoints, paths after a product view, cohorts and churn."""
    scope = Scope()
    flow = funnel(ws, FunnelSpec(parse_steps(FUNNEL), timedelta(days=7)), scope)
    tps = touchpoints(ws, TouchpointSpec(), scope)["touchpoints"]
    worst = sorted(
        (
            t
            for t in tps
            if t["drop_rank"] is not None and t["stage"] in ("consideration", "purchase")
        ),
        key=lambda t: -t["dropped_share"],
    )[:6]
    after_view = paths(ws, PathSpec(start="product_view", depth=3), scope)
    kept = retention(ws, RetentionSpec(period="month"), scope)
    return {
        "funnel": flow["steps"],
        "stages": stages(ws, StageSpec(), scope, "vi")["stages"],
        "worst_touchpoints": worst,
        "sankey": after_view["sankey"]["links"],
        "bounce_rate": after_view["sessions"]["bounce_rate"],
        "cohorts": kept["cohorts"],
        "churn": {k: v for k, v in kept["churn"].items() if k != "top"},
    }


def analysis_html(a: dict[str, Any]) -> str:
    """The report's analytics sections (our own SVG and escaped text)."""
    flow = funnel_chart(
        "Phễu 7 ngày / 7-day funnel",
        [(s["step"], s["customers"], s["conversion"]) for s in a["funnel"]],
    )
    stage_rows = "".join(
        f"<tr><td>{escape(s['name'])}</td><td>{format_number(s['customers'], 'vi')}</td>"
        f"<td>{format_number(s['current'], 'vi')}</td>"
        f"<td>{_pct(s['conversion_to_next'])}</td></tr>"
        for s in a["stages"]
    )
    worst = "".join(
        f"<tr><td><code>{escape(t['touchpoint'])}</code></td><td>{escape(str(t['stage']))}</td>"
        f"<td>{format_number(t['customers'], 'vi')}</td><td>{_pct(t['dropped_share'])}</td>"
        f"<td>{_pct(t['converted_share'])}</td></tr>"
        for t in a["worst_touchpoints"]
    )
    churn = a["churn"]
    sankey = sankey_chart("Sau khi xem sản phẩm / After a product view", a["sankey"])
    heat = cohort_heatmap("Giữ chân theo nhóm tháng / Retention by monthly cohort", a["cohorts"])
    return (
        "<section><h2>Phễu chuyển đổi / Funnel</h2>"
        f"{flow}</section>"
        "<section><h2>Giai đoạn (bán lẻ 5) / Stages (retail 5)</h2><table><tr>"
        "<th>Giai đoạn / Stage</th><th>Đã đến / Reached</th><th>Đang ở / There now</th>"
        f"<th>Sang bước sau / To next</th></tr>{stage_rows}</table></section>"
        "<section><h2>Điểm chạm rời bỏ nhiều nhất / Touchpoints that lose the most</h2>"
        "<table><tr><th>Điểm chạm / Touchpoint</th><th>Giai đoạn / Stage</th>"
        "<th>Khách / Customers</th><th>Rời bỏ / Dropped</th><th>Chuyển đổi / Converted</th>"
        f"</tr>{worst}</table></section>"
        f"<section><h2>Hành trình / Paths</h2>{sankey}<p>Tỷ lệ thoát / bounce rate: "
        f"{_pct(a['bounce_rate'])}</p></section>"
        f"<section><h2>Giữ chân / Retention</h2>{heat}<p>"
        f"{format_number(churn['at_risk'], 'vi')} / {format_number(churn['customers'], 'vi')} "
        "khách hàng có nguy cơ rời bỏ / customers at risk of churning</p></section>"
    )


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{format_number(x * 100, 'vi', 1)}%"
