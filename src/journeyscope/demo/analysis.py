"""The demo's analytics: what the report shows about the journeys, computed from the data."""

from __future__ import annotations

import math
from datetime import timedelta
from html import escape
from typing import Any

from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.paths import PathSpec, paths
from journeyscope.analytics.retention import RetentionSpec, retention
from journeyscope.analytics.scope import Scope, parse_steps
from journeyscope.analytics.stages import StageSpec, stages
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints
from journeyscope.demo.labels import event_label, pick, touchpoint_label
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import format_number
from journeyscope.insights.report import insights
from journeyscope.insights.words import headline
from journeyscope.render.charts import cohort_heatmap, funnel_chart, sankey_chart

FUNNEL = "product_view,add_to_cart,checkout,purchase"

T: dict[str, tuple[str, str]] = {
    "funnel_h": ("Funnel", "Phễu chuyển đổi"),
    "funnel": ("7-day funnel", "Phễu 7 ngày"),
    "funnel_p": (
        "Customers who took each step within 7 days of viewing a product; the share is of "
        "those who viewed, the red number is how many were lost since the step before.",
        "Số khách đi tới từng bước trong 7 ngày kể từ khi xem sản phẩm; tỷ lệ tính trên số "
        "người đã xem, số màu đỏ là số khách mất đi so với bước trước.",
    ),
    "stages_h": ("Stages (retail, 5 stages)", "Giai đoạn (bán lẻ, 5 giai đoạn)"),
    "stage": ("Stage", "Giai đoạn"),
    "reached": ("Reached", "Đã đến"),
    "now": ("There now", "Đang ở"),
    "next": ("Went on to the next", "Sang giai đoạn sau"),
    "worst_h": ("Touchpoints that lose the most", "Điểm chạm làm mất khách nhiều nhất"),
    "worst_p": (
        "Lost: the customer's last touch there was followed by no purchase and no action of "
        "their own within the window.",
        "Mất: sau lần chạm cuối ở đó, khách không mua và không tự làm gì thêm trong khoảng "
        "thời gian theo dõi.",
    ),
    "touchpoint": ("Touchpoint", "Điểm chạm"),
    "customers": ("Customers", "Khách"),
    "dropped": ("Lost", "Rời bỏ"),
    "converted": ("Bought", "Đã mua"),
    "paths_h": ("Paths", "Hành trình"),
    "paths": ("After a product view", "Sau khi xem sản phẩm"),
    "bounce": (
        "Bounce rate (sessions with a single event): {b}",
        "Tỷ lệ thoát (phiên chỉ có một sự kiện): {b}",
    ),
    "retention_h": ("Retention and churn", "Giữ chân và rời bỏ"),
    "retention": ("Retention by monthly cohort", "Giữ chân theo nhóm tháng"),
    "retention_p": (
        "Each row is the customers who first came in a month; each column, the share "
        "still active 0, 1, 2 … months later.",
        "Mỗi hàng là nhóm khách đến lần đầu trong một tháng; mỗi cột là tỷ lệ còn hoạt động "
        "sau 0, 1, 2 … tháng.",
    ),
    "at_risk": (
        "{r} of {n} customers are at risk of churning.",
        "{r} trên {n} khách hàng có nguy cơ rời bỏ.",
    ),
    "at_risk_why": (
        "What “at risk” means: the time since a customer's last own action (a visit, a "
        "purchase, a call — not a message we sent) is long compared with how often they "
        "usually come back. Risk = 1 − e^(−days away ÷ usual gap in days); a customer is "
        "at risk from {t}. Someone who usually returns every 20 days reaches it after "
        "{days} days away.",
        "“Có nguy cơ rời bỏ” nghĩa là: thời gian từ lần cuối khách tự hành động (ghé, mua, "
        "gọi — không tính tin nhắn mình gửi) đã dài so với nhịp quay lại thường ngày của "
        "họ. Nguy cơ = 1 − e^(−số ngày vắng ÷ khoảng cách thường ngày); từ {t} là có nguy "
        "cơ. Một người thường quay lại mỗi 20 ngày sẽ tới mức đó sau {days} ngày vắng mặt.",
    ),
    "insights_h": ("What changed — found by itself", "Điều gì đã thay đổi — tự phát hiện"),
    "insights_p": (
        "journeyscope insights scanned every funnel step, stage, event and channel, day by "
        "day, and lists what changed beyond chance, biggest first. Tết, sale days and "
        "weekdays are seasonality, not changes. Each command shows the evidence.",
        "Lệnh tìm thay đổi đã quét mọi bước phễu, giai đoạn, sự kiện và kênh theo từng ngày, "
        "và liệt kê những gì thay đổi vượt mức ngẫu nhiên, lớn nhất trước. Tết, ngày khuyến "
        "mãi và thứ trong tuần là yếu tố mùa vụ, không phải thay đổi. Mỗi lệnh cho xem bằng "
        "chứng.",
    ),
    "insights_none": ("Nothing changed significantly.", "Không có thay đổi đáng kể."),
    "everyone": ("everyone", "tất cả khách"),
    "affected": ("{n} customers affected", "{n} khách bị ảnh hưởng"),
    "reasons": ("Why, for those at risk: {list}.", "Lý do, với những khách có nguy cơ: {list}."),
    "bad_review": ("a bad review", "đánh giá xấu"),
    "unresolved_support": ("a support call not resolved", "cuộc gọi hỗ trợ chưa giải quyết"),
    "last_touchpoint": ("gone quiet after a touchpoint", "im lặng sau một điểm chạm"),
}


def tr(key: str, lang: str, **values: Any) -> str:
    text = pick(T[key], lang)
    return text.format(**values) if values else text


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
    changed = insights(ws, scope, ws.config.insights, workspace_arg=str(ws.root))
    return {
        "insights": changed["findings"],
        "funnel": flow["steps"],
        "stages": {lang: stages(ws, StageSpec(), scope, lang)["stages"] for lang in ("vi", "en")},
        "worst_touchpoints": worst,
        "sankey": after_view["sankey"]["links"],
        "bounce_rate": after_view["sessions"]["bounce_rate"],
        "cohorts": kept["cohorts"],
        "churn": {k: v for k, v in kept["churn"].items() if k != "top"},
    }


def _pct(x: float | None, lang: str) -> str:
    return "–" if x is None else f"{format_number(x * 100, lang, 1)}%"


def _node(key: str, lang: str) -> str:
    """A Sankey node ``"2:add_to_cart"`` with its event named for people."""
    step, _, name = key.partition(":")
    return f"{step}:{event_label(name, lang)}"


def analysis_html(a: dict[str, Any], lang: str = "vi") -> str:
    """The report's analytics sections (our own SVG and escaped text)."""
    flow = funnel_chart(
        tr("funnel", lang),
        [(event_label(s["step"], lang), s["customers"], s["conversion"]) for s in a["funnel"]],
        lang,
    )
    stage_rows = "".join(
        f"<tr><td>{escape(s['name'])}</td><td class='n'>{format_number(s['customers'], lang)}"
        f"</td><td class='n'>{format_number(s['current'], lang)}</td>"
        f"<td class='n'>{_pct(s['conversion_to_next'], lang)}</td></tr>"
        for s in a["stages"][lang]
    )
    stage_head = "".join(f"<th>{tr(k, lang)}</th>" for k in ("stage", "reached", "now", "next"))
    worst = "".join(
        f"<tr><td>{escape(touchpoint_label(t['touchpoint'], lang))}</td>"
        f"<td class='n'>{format_number(t['customers'], lang)}</td>"
        f"<td class='n'>{_pct(t['dropped_share'], lang)}</td>"
        f"<td class='n'>{_pct(t['converted_share'], lang)}</td></tr>"
        for t in a["worst_touchpoints"]
    )
    worst_head = "".join(
        f"<th>{tr(k, lang)}</th>" for k in ("touchpoint", "customers", "dropped", "converted")
    )
    links = [
        {**link, "source": _node(link["source"], lang), "target": _node(link["target"], lang)}
        for link in a["sankey"]
    ]
    sankey = sankey_chart(tr("paths", lang), links, lang)
    heat = cohort_heatmap(tr("retention", lang), a["cohorts"], lang)
    return (
        _insights_html(a.get("insights") or [], lang)
        + f"<section><h2>{tr('funnel_h', lang)}</h2><p>{escape(tr('funnel_p', lang))}</p>"
        f"{flow}</section>"
        f"<section><h2>{tr('stages_h', lang)}</h2><table><tr>{stage_head}</tr>{stage_rows}"
        "</table></section>"
        f"<section><h2>{tr('worst_h', lang)}</h2><p>{escape(tr('worst_p', lang))}</p>"
        f"<table><tr>{worst_head}</tr>{worst}</table></section>"
        f"<section><h2>{tr('paths_h', lang)}</h2>{sankey}"
        f"<p>{escape(tr('bounce', lang, b=_pct(a['bounce_rate'], lang)))}</p></section>"
        f"<section><h2>{tr('retention_h', lang)}</h2><p>{escape(tr('retention_p', lang))}</p>"
        f"{heat}{_churn_html(a['churn'], lang)}</section>"
    )


def _insights_html(findings: list[dict[str, Any]], lang: str) -> str:
    items = []
    for f in findings:
        sl = f.get("slice")
        where = f"{sl['field']} = {sl['value']}" if sl else tr("everyone", lang)
        period = f"{f['period']['from']} → {f['period']['to']}"
        affected = tr("affected", lang, n=format_number(f["customers_affected"], lang))
        items.append(
            f"<li><b>{escape(headline(f, lang))}</b> — {escape(where)}, {escape(period)}, "
            f"{escape(affected)}<br><code>{escape(f.get('command') or '')}</code></li>"
        )
    body = f"<ol>{''.join(items)}</ol>" if items else f"<p>{tr('insights_none', lang)}</p>"
    return (
        f"<section><h2>{tr('insights_h', lang)}</h2><p>{escape(tr('insights_p', lang))}</p>"
        f"{body}</section>"
    )


def _churn_html(churn: dict[str, Any], lang: str) -> str:
    at_risk = tr(
        "at_risk",
        lang,
        r=format_number(churn["at_risk"], lang),
        n=format_number(churn["customers"], lang),
    )
    threshold = float(churn.get("threshold", 0.5))
    days = format_number(-math.log(1 - min(threshold, 0.999)) * 20, lang)
    why = tr("at_risk_why", lang, t=_pct(threshold, lang), days=days)
    reasons = ", ".join(
        f"{tr(reason, lang) if reason in T else reason} ({format_number(n, lang)})"
        for reason, n in churn.get("reasons", {}).items()
    )
    listed = f"<p>{escape(tr('reasons', lang, list=reasons))}</p>" if reasons else ""
    return f"<p><b>{escape(at_risk)}</b></p><p>{escape(why)}</p>{listed}"
