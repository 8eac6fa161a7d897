"""Personas proposed from the data: clusters of real customers, said in plain words.

Each customer with an own action is described by what they do (events, product views,
add-to-carts), what they are worth (orders, net revenue, days since last seen), where
(share of own actions per channel) and when (share per part of the day, workspace time
zone). Counts and money are log-scaled, every feature standardised, and k-means (SciPy's
k-means++, the best of ten seeded runs: the same data gives the same personas) groups them.

A cluster is not a rule, so each proposal also gets the simplest segment rule that covers
it — its main channels, its range of orders, how recently it was active — and says how
well that rule matches the cluster (precision and recall), so a person can edit the rule
knowing what it keeps. Names and descriptions are templates in English and Vietnamese;
they are meant to be edited.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from journeyscope.analytics.segments import Segment, facts, members
from journeyscope.errors import InputError, Location
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import format_number, format_vnd_short
from journeyscope.maps.channels import channel

__all__ = ["DAYPARTS", "suggest"]

#: Parts of the day by local hour: (id, first hour, end hour, English, Vietnamese)
DAYPARTS = (
    ("morning", 5, 11, "in the morning", "buổi sáng"),
    ("midday", 11, 14, "around midday", "buổi trưa"),
    ("afternoon", 14, 18, "in the afternoon", "buổi chiều"),
    ("evening", 18, 23, "in the evening", "buổi tối"),
    ("night", 23, 29, "late at night", "đêm khuya"),
)
MIN_CUSTOMERS_PER_CLUSTER = 5


def suggest(ws: Workspace, k: int = 4, seed: int = 7) -> list[dict[str, Any]]:
    """``k`` proposals, largest first (the ``persona suggest --json`` shape)."""
    rows = [r for r in facts(ws) if r["own_events"]]
    if len(rows) < k * MIN_CUSTOMERS_PER_CLUSTER:
        raise InputError(
            f"{len(rows)} customers with own actions are too few for {k} personas",
            f"{len(rows)} khách hàng có hoạt động là quá ít cho {k} chân dung",
            location=Location(field="--k"),
            hint_en=f"at least {MIN_CUSTOMERS_PER_CLUSTER} per persona: a smaller --k",
            hint_vi=f"cần ít nhất {MIN_CUSTOMERS_PER_CLUSTER} khách mỗi chân dung: giảm --k",
            code="too_few_customers",
        )
    ids = np.array([int(r["customer_id"]) for r in rows])
    behaviour = _behaviour(ws, ids)
    channels = _top_channels(behaviour["channel_share"])
    matrix = _features(rows, behaviour, channels)
    labels = _cluster(matrix, k, seed)
    total = len(rows)
    out = []
    for label in sorted(set(labels.tolist()), key=lambda c: -int((labels == c).sum())):
        inside = labels == label
        out.append(_describe(ws, rows, behaviour, channels, inside, total))
    return out


def _behaviour(ws: Workspace, ids: np.ndarray) -> dict[str, Any]:
    """Per customer: share of own actions per channel and per part of the day, add-to-carts
    and product views (rows in the order of ``ids``)."""
    passive = list(ws.config.events.passive) or ["\x00"]
    zone = ws.config.timezone
    rows = ws.con.execute(
        """SELECT customer_id, channel, hour(timezone($zone, CAST(ts AS TIMESTAMPTZ))) AS h,
            event FROM journey_events WHERE NOT list_contains($passive, event)""",
        {"zone": zone, "passive": passive},
    ).fetchnumpy()
    position = {int(c): i for i, c in enumerate(ids)}
    where = np.array([position.get(int(c), -1) for c in rows["customer_id"]])
    keep = where >= 0
    where, hours = where[keep], np.asarray(rows["h"])[keep]
    chans, events = np.asarray(rows["channel"])[keep], np.asarray(rows["event"])[keep]
    n = np.bincount(where, minlength=len(ids)).astype(float)
    names = sorted(set(chans.tolist()))
    share = {
        c: np.bincount(where[chans == c], minlength=len(ids)) / np.maximum(n, 1) for c in names
    }
    shifted = np.where(hours < 5, hours + 24, hours)
    parts = {
        d: np.bincount(where[(shifted >= lo) & (shifted < hi)], minlength=len(ids))
        / np.maximum(n, 1)
        for d, lo, hi, _, _ in DAYPARTS
    }
    return {
        "channel_share": share,
        "daypart_share": parts,
        "carts": np.bincount(where[events == "add_to_cart"], minlength=len(ids)),
        "views": np.bincount(where[events == "product_view"], minlength=len(ids)),
    }


def _top_channels(share: dict[str, np.ndarray], most: int = 8) -> list[str]:
    """The channels that carry most actions (rare ones would only add noise)."""
    return sorted(share, key=lambda c: -float(share[c].sum()))[:most]


def _features(
    rows: list[dict[str, Any]], behaviour: dict[str, Any], channels: list[str]
) -> np.ndarray:
    def col(name: str) -> np.ndarray:
        return np.array([float(r[name] or 0) for r in rows])

    cols = [
        np.log1p(col("orders")),
        np.log1p(np.maximum(col("revenue"), 0)),
        np.log1p(col("events")),
        np.log1p(col("days_since_last")),
        np.log1p(behaviour["views"].astype(float)),
        np.log1p(behaviour["carts"].astype(float)),
        *(behaviour["channel_share"][c] for c in channels),
        *(behaviour["daypart_share"][d] for d, *_ in DAYPARTS),
    ]
    matrix = np.column_stack(cols)
    spread = matrix.std(axis=0)
    return np.asarray((matrix - matrix.mean(axis=0)) / np.where(spread > 0, spread, 1.0))


def _cluster(matrix: np.ndarray, k: int, seed: int, tries: int = 10) -> np.ndarray:
    """k-means++ (SciPy, a runtime dependency), the best of ``tries`` seeded runs by
    within-cluster sum of squares: the same data gives the same clusters."""
    from scipy.cluster.vq import kmeans2

    best: tuple[float, np.ndarray] | None = None
    rng = np.random.default_rng(seed)
    for _ in range(tries):
        centroids, labels = kmeans2(matrix, k, minit="++", seed=rng)
        inertia = float(((matrix - centroids[labels]) ** 2).sum())
        if len(set(labels.tolist())) == k and (best is None or inertia < best[0]):
            best = (inertia, np.asarray(labels))
    if best is None:  # every run lost a cluster: the data has fewer distinct groups
        raise InputError(
            f"the customers do not fall into {k} distinct groups",
            f"khách hàng không chia được thành {k} nhóm khác nhau",
            location=Location(field="--k"),
            hint_en="try a smaller --k",
            hint_vi="hãy thử --k nhỏ hơn",
            code="too_few_customers",
        )
    return best[1]


def _describe(
    ws: Workspace,
    rows: list[dict[str, Any]],
    behaviour: dict[str, Any],
    channels: list[str],
    inside: np.ndarray,
    total: int,
) -> dict[str, Any]:
    picked = [r for r, keep in zip(rows, inside, strict=True) if keep]
    orders = np.array([int(r["orders"]) for r in picked])
    revenue = np.array([float(r["revenue"]) for r in picked])
    aov = [float(r["aov"]) for r in picked if r["aov"] is not None]
    recency = np.array([int(r["days_since_last"] or 0) for r in picked])
    share = {c: float(behaviour["channel_share"][c][inside].mean()) for c in channels}
    top = [c for c in sorted(share, key=lambda c: -share[c]) if share[c] >= 0.15][:2]
    top = top or [max(share, key=lambda c: share[c])]
    daypart = max(DAYPARTS, key=lambda d: float(behaviour["daypart_share"][d[0]][inside].mean()))
    profile = {
        "customers": len(picked),
        "share": round(len(picked) / total, 4),
        "median_orders": float(np.median(orders)),
        "median_revenue": float(np.median(revenue)),
        "typical_order_value": float(np.median(aov)) if aov else None,
        "median_days_since_last": float(np.median(recency)),
        "channels": {c: round(share[c], 4) for c in top},
        "daypart": daypart[0],
    }
    rule = _rule(picked, orders, recency)
    name, text = _words(profile, top, daypart)
    found = set(members(ws, Segment(name="suggested", rule=rule)))
    cluster = {int(r["customer_id"]) for r in picked}
    both = len(found & cluster)
    return {
        **profile,
        "name": name,
        "description": text,
        "segment_rule": rule,
        "rule_customers": len(found),
        "rule_precision": round(both / len(found), 4) if found else 0.0,
        "rule_recall": round(both / len(cluster), 4),
    }


def _rule(picked: list[dict[str, Any]], orders: np.ndarray, recency: np.ndarray) -> str:
    """Main channels covering most of the cluster, its orders between the 10th and 90th
    percentile, active within its 90th percentile of days."""
    mains: dict[str, int] = {}
    for r in picked:
        mains[str(r["main_channel"])] = mains.get(str(r["main_channel"]), 0) + 1
    chosen: list[str] = []
    for name, _ in sorted(mains.items(), key=lambda kv: (-kv[1], kv[0])):
        if sum(mains[c] for c in chosen) >= 0.7 * len(picked) or len(chosen) == 3:
            break
        chosen.append(name)
    low, high = (int(v) for v in np.percentile(orders, [10, 90], method="nearest"))
    days = int(np.percentile(recency, 90, method="nearest"))
    parts = [f"main_channel in ({', '.join(chosen)})"]
    if low == high:
        parts.append(f"orders = {low}")
    else:
        parts.append(f"orders <= {high}" if low == 0 else f"orders >= {low} and orders <= {high}")
    parts.append(f"days_since_last <= {days}")
    return " and ".join(parts)


def _words(
    profile: dict[str, Any], top: list[str], daypart: tuple[str, int, int, str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """A name and a plain description in both languages (templates, to be edited)."""
    where_en = " and ".join(channel(c).en for c in top)
    where_vi = " và ".join(channel(c).vi for c in top)
    orders = profile["median_orders"]
    if orders == 0:
        who_en, who_vi = "Browsers", "Người xem chưa mua"
    elif orders < 2:
        who_en, who_vi = "One-time buyers", "Khách mua một lần"
    else:
        who_en, who_vi = "Repeat buyers", "Khách mua lại"
    name = {
        "en": f"{who_en} on {where_en}, {daypart[3]}",
        "vi": f"{who_vi} trên {where_vi}, {daypart[4]}",
    }
    n_en, n_vi = (
        format_number(profile["customers"], "en"),
        format_number(profile["customers"], "vi"),
    )
    pct_en = format_number(profile["share"] * 100, "en", 1)
    pct_vi = format_number(profile["share"] * 100, "vi", 1)
    days = int(profile["median_days_since_last"])
    en = [f"{n_en} customers ({pct_en} %), mostly on {where_en}, most active {daypart[3]}."]
    vi = [f"{n_vi} khách hàng ({pct_vi} %), chủ yếu trên {where_vi}, hay hoạt động {daypart[4]}."]
    typical = profile["typical_order_value"]
    if typical is not None:
        en.append(
            f"Median {format_number(orders, 'en', 1)} orders; a typical order is "
            f"{format_vnd_short(typical, 'en')}."
        )
        vi.append(
            f"Trung vị {format_number(orders, 'vi', 1)} đơn; đơn điển hình "
            f"{format_vnd_short(typical, 'vi')}."
        )
    else:
        en.append("They look but have not bought yet.")
        vi.append("Họ xem hàng nhưng chưa mua.")
    en.append(f"Last seen {days} days before the end of the data (median).")
    vi.append(f"Lần cuối hoạt động {days} ngày trước ngày cuối của dữ liệu (trung vị).")
    return name, {"en": " ".join(en), "vi": " ".join(vi)}
