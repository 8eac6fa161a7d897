"""Segments for every face: list, show, add, remove, export, and lists saved as segments.

The CLI (`journeyscope segment ...`), the REST API (``/api/v1/workspaces/{ws}/segments``)
and notebooks (``journeyscope.Workspace.segments()``) call these, so a segment is defined,
sized and described one way (the work is in :mod:`journeyscope.analytics.segments`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from journeyscope.app.operations import open_workspace
from journeyscope.events.workspace import Workspace

if TYPE_CHECKING:
    from journeyscope.maps.personas import Persona
    from journeyscope.render.persona_card import LiveSegment

__all__ = [
    "SegmentChannel",
    "SegmentReport",
    "add",
    "check_new",
    "customers",
    "list_segments",
    "live_card",
    "persona_segment",
    "remove",
    "save_list",
    "show",
    "suggest_personas",
]

Where = Workspace | Path | str | None


class SegmentChannel(BaseModel):
    channel: str
    customers: int
    share_of_customers: float
    share_of_actions: float


class SegmentReport(BaseModel):
    """``segment show --json``: who the segment is today (docs/analytics.md "Segments")."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str
    description: str | None = None
    rule: str | None = None
    customers: int
    total_customers: int
    share: float | None = None
    currency: str
    listed: int | None = None
    unmatched: int | None = None
    orders: int
    revenue: float
    typical_order_value: float | None = None
    channels: list[SegmentChannel]
    top_events: list[dict[str, Any]]
    top_products: dict[str, Any] | None = None

    def for_language(self, lang: str = "en") -> dict[str, Any]:
        del lang  # names here are data (channels, events), the same in both languages
        return self.model_dump(mode="json")


def list_segments(where: Where) -> list[dict[str, Any]]:
    """Every segment with its live size."""
    from journeyscope.analytics.segments import load_segments, members

    with open_workspace(where) as ws:
        return [
            {
                "name": s.name,
                "kind": s.kind,
                "description": s.description,
                "rule": s.rule,
                "listed": None if s.members is None else len(s.members),
                "customers": len(members(ws, s)),
            }
            for s in load_segments(ws.root).values()
        ]


def show(where: Where, name: str) -> SegmentReport:
    from journeyscope.analytics.segments import get_segment
    from journeyscope.analytics.segments_summary import summary

    with open_workspace(where) as ws:
        return SegmentReport.model_validate(summary(ws, get_segment(ws.root, name, "NAME")))


def add(
    where: Where,
    name: str,
    *,
    rule: str | None = None,
    members: list[str] | None = None,
    description: str | None = None,
    source: str | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Store a rule or a static list (checked against the workspace); its live size."""
    from journeyscope.analytics.segments import Segment, add_segment, check_name
    from journeyscope.analytics.segments import members as members_of
    from journeyscope.errors import InputError, Location

    check_name(name)
    if rule is not None and members is not None:
        raise InputError(
            "a segment is a rule or a list: give --rule or --from-file, not both",
            "phân khúc là một quy tắc hoặc một danh sách: dùng --rule hoặc --from-file, "
            "không dùng cả hai",
            location=Location(field="--from-file"),
            hint_en="make two segments if you need both",
            hint_vi="hãy tạo hai phân khúc nếu cần cả hai",
            code="conflicting_options",
        )
    if rule is None and members is None:
        raise InputError(
            "a segment needs --rule or --from-file",
            "phân khúc cần --rule hoặc --from-file",
            location=Location(field="--rule"),
            hint_en='e.g. --rule "orders >= 2 and channel = shopee"',
            hint_vi='ví dụ --rule "orders >= 2 and channel = shopee"',
            code="missing_option",
        )
    with open_workspace(where) as ws:
        segment = Segment(
            name=name, rule=rule, members=members, description=description, source=source
        )
        stored = add_segment(ws, segment, replace=replace)
        return {**stored.model_dump(exclude_none=True), "customers": len(members_of(ws, stored))}


def remove(where: Where, name: str) -> dict[str, Any]:
    from journeyscope.analytics.segments import remove_segment

    with open_workspace(where) as ws:
        return remove_segment(ws.root, name).model_dump(exclude_none=True)


def customers(where: Where, name: str, target: Path) -> int:
    """Write the segment's customers with who they are (``CONTACT_COLUMNS``) to CSV/Parquet."""
    import pyarrow as pa

    from journeyscope.analytics.contacts import contact_columns, contacts_sql
    from journeyscope.analytics.segments import get_segment, members
    from journeyscope.engine.runner import Runner

    with open_workspace(where) as ws:
        ids = members(ws, get_segment(ws.root, name, "NAME"))
        r = Runner(ws)
        q = r.sql()
        r.register("sg_out", pa.table({"customer_id": pa.array(ids, pa.int64())}))
        try:
            return r.write(
                f"""SELECT s.customer_id, {contact_columns("n")}
                FROM sg_out s LEFT JOIN ({contacts_sql(q, r.identities())}) n
                    ON n.customer_id = s.customer_id ORDER BY s.customer_id""",
                target,
                q,
            )
        finally:
            r.unregister("sg_out")


def check_new(where: Where, name: str, replace: bool = False) -> None:
    """Refuse a ``--save-segment`` name before a report runs, not after."""
    from journeyscope.analytics.segments import check_name, load_segments
    from journeyscope.errors import InputError, Location

    check_name(name)
    with open_workspace(where) as ws:
        if name in load_segments(ws.root) and not replace:
            raise InputError(
                f"the segment {name!r} exists already",
                f"phân khúc {name!r} đã có",
                location=Location(field="--save-segment"),
                hint_en="pick another name, or remove it first with `journeyscope segment remove`",
                hint_vi="chọn tên khác, hoặc xoá nó trước bằng `journeyscope segment remove`",
                code="segment_exists",
            )


def save_list(
    where: Where,
    name: str,
    file: Path,
    *,
    source: str,
    at_risk_only: bool = False,
    replace: bool = False,
) -> dict[str, Any]:
    """A customer list a report wrote (``retention -o``: its at-risk rows; a dropped-at
    list: every row) stored as a static segment of their identifiers."""
    ids = _list_ids(file, at_risk_only)
    return add(where, name, members=[str(i) for i in ids], source=source, replace=replace)


def _list_ids(file: Path, at_risk_only: bool) -> list[int]:
    import pyarrow as pa

    if file.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(file)
    else:
        import pyarrow.csv as pcsv

        table = pcsv.read_csv(
            file, convert_options=pcsv.ConvertOptions(column_types={"customer_id": pa.int64()})
        )
    rows = table.to_pylist()
    keep = [r for r in rows if not at_risk_only or str(r.get("at_risk")).lower() == "true"]
    return [int(r["customer_id"]) for r in keep if r.get("customer_id") is not None]


def persona_segment(where: Where, persona: Persona) -> SegmentReport | None:
    """A persona's customers today: its ``segment_rule`` or its ``segment_name``'s segment
    (``None`` when it has neither: a persona written by hand, not yet bound)."""
    from journeyscope.analytics.segments import Segment, check_rule, get_segment
    from journeyscope.analytics.segments_rule import parse_rule
    from journeyscope.analytics.segments_summary import summary

    with open_workspace(where) as ws:
        if persona.segment_rule is not None:
            check_rule(ws, parse_rule(persona.segment_rule, "segment_rule"), "segment_rule")
            segment = Segment(name=persona.id, rule=persona.segment_rule)
        elif persona.segment_name is not None:
            segment = get_segment(ws.root, persona.segment_name, "segment_name")
        else:
            return None
        return SegmentReport.model_validate(summary(ws, segment))


def live_card(report: SegmentReport) -> LiveSegment:
    """What a persona card shows of its segment (the renderer never reads a workspace)."""
    from journeyscope.render.persona_card import LiveSegment

    products = report.top_products["values"] if report.top_products else []
    return LiveSegment(
        customers=report.customers,
        share=report.share,
        channels=tuple((c.channel, c.share_of_customers) for c in report.channels),
        typical_order=report.typical_order_value,
        products=tuple(str(p["value"]) for p in products),
    )


def suggest_personas(where: Where, k: int = 4, seed: int = 7) -> list[dict[str, Any]]:
    """Personas proposed from clusters of customers, each with the persona document to
    save (``persona``) beside its numbers (``analytics.persona_suggest``)."""
    from journeyscope.analytics.persona_suggest import suggest
    from journeyscope.app.operations import at_least

    at_least(k, 2, "--k")
    with open_workspace(where) as ws:
        found = suggest(ws, k, seed)
    return [{**p, "persona": _persona_doc(p, i + 1)} for i, p in enumerate(found)]


def _persona_doc(p: dict[str, Any], number: int) -> dict[str, Any]:
    """An ordinary persona document (validated by the persona model) for a proposal."""
    from journeyscope.maps.personas import Persona

    orders = p["median_orders"]
    who = "browsers" if orders == 0 else "one-time-buyers" if orders < 2 else "repeat-buyers"
    where = next(iter(p["channels"]), "all")
    share_en = f"{p['share'] * 100:.1f} % of customers".replace(".0 %", " %")
    share_vi = share_en.replace(" % of customers", " % khách hàng").replace(".", ",")
    doc = Persona.model_validate(
        {
            "id": f"suggested-{number}-{who}-{where}",
            "name": p["name"],
            "segment": {"en": share_en, "vi": share_vi},
            "segment_rule": p["segment_rule"],
            "biography": p["description"],
            "channels": list(p["channels"]),
        }
    )
    dumped = doc.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return {"schema_version": 1, "kind": "persona", **dumped}
