"""Incremental identity resolution: stitch only what the events stored since the last resolve
touch, with the answer a full resolve would give — customer ids included.

A full resolve (:mod:`resolve`) numbers customers by their first event and recomputes every
link. Events stored later (their ``seq`` is above the last resolve's ``high_water``,
:mod:`resolve_state`) can only change:

* the identifiers they carry (*touched*): new links, so more linked values, so perhaps over
  the guard's limit (excluded: a split), and new identifiers;
* the customers of touched identifiers (*affected*): merged when a new event joins two, split
  when one of their identifiers is newly excluded, grown by the new events.

Everything else keeps its links, its status and its events. So the affected customers'
identifiers and links are read back and their components recomputed (the same union-find
as the full pass, :mod:`stitch_kernel`). A customer the new events only *grew* (its
identifiers all still linked, in one component with no other earlier customer's) keeps
its first event and its earlier events' attribution, so its place in the order: only its
new events are attributed. The others (merged, split) have their events read back and are
numbered again with the new customers by first event — the untouched and grown keep their
order, so their ids only shift. The cost follows the new events, not the store, unless
customers merge or split. (Should an earlier event move into a grown customer — its first
usable identifier just excluded, a blocked pair keeping the next apart — the pass resolves
in full.)

``journey_events`` (what analytics scan, in (customer, time) order) is kept the same way:
the recomputed customers' rows are deleted, moved ids updated in place (the order stays),
and the pass's rows appended as one more run in that order. Readers merge the runs in
about linear time (:func:`journeyscope.arrays.journey_order`); once the runs hold more
than :data:`REWRITE_SHARE` of the rows the table is written whole in order again, so a
rewrite's cost is spread over many passes.

When the shortcut cannot be exact a full resolve runs instead, and the result says why
(:data:`REASONS`): nothing resolved before, the rules, the guard's settings, the blocks or
the schema changed, events were deleted (``forget``), the relative guard's limits moved with
the new data, or a blocked pair lets the change reach a customer no new event touches.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from journeyscope.errors import Location, WorkspaceError
from journeyscope.events.schema import SCHEMA_VERSION
from journeyscope.events.workspace import Workspace
from journeyscope.identity.incremental_graph import Affected, Fallback, Graph, recompute
from journeyscope.identity.resolve import (
    _MAX_NODES,
    Step,
    _blocks,
    _event_nodes,
    _normalize_new_values,
    _placeholders,
    build_journeys,
    journey_select,
    person_types,
    resolve,
)
from journeyscope.identity.resolve_state import (
    Covered,
    blocks_fingerprint,
    encode_hist,
    last_covered,
)
from journeyscope.identity.rules import Rules

#: Why a full resolve ran instead (code: English, Vietnamese).
REASONS: dict[str, tuple[str, str]] = {
    "never_resolved": (
        "no resolve recorded what it covered yet",
        "chưa có lần phân giải nào ghi lại phần đã xử lý",
    ),
    "rules_changed": (
        "the normalisation rules changed",
        "quy tắc chuẩn hoá đã thay đổi",
    ),
    "settings_changed": (
        "identity.max_links or identity.relative_links changed",
        "identity.max_links hoặc identity.relative_links đã thay đổi",
    ),
    "blocks_changed": (
        "an identifier or pair was blocked or unblocked",
        "một định danh hoặc một cặp đã bị chặn hoặc bỏ chặn",
    ),
    "schema_changed": (
        "the workspace was migrated to a new schema",
        "workspace đã được nâng cấp lược đồ",
    ),
    "events_removed": (
        "events were deleted (forget) since the last resolve",
        "có sự kiện bị xoá (forget) từ lần phân giải trước",
    ),
    "limits_moved": (
        "the relative guard's limits moved with the new events",
        "ngưỡng tương đối của bộ chặn gộp nhầm đã đổi theo sự kiện mới",
    ),
    "blocked_pairs": (
        "a blocked pair lets the change reach customers no new event touches",
        "một cặp bị chặn khiến thay đổi lan tới khách hàng mà sự kiện mới không chạm tới",
    ),
    "large_batch": (
        "the new events are a large share of all events: a full resolve is as quick",
        "sự kiện mới chiếm phần lớn tổng số: phân giải toàn bộ cũng nhanh như vậy",
    ),
    "journeys_unsorted": (
        "journey_events could not be sorted in place: written again from the events",
        "không sắp xếp lại được journey_events tại chỗ: ghi lại từ các sự kiện",
    ),
    "too_many_identifiers": (
        "the identifiers outgrew the embedded engine",
        "số định danh vượt quá khả năng bộ máy nhúng",
    ),
}


#: sort ``journey_events`` into one run once the runs appended since hold more than this
#: share of its rows (each sort's cost is then spread over as many rows as it moves, and a
#: reader merges at most that share)
REWRITE_SHARE = 0.5


@dataclass
class IncrementalResult:
    """What one incremental resolve did (``to_dict`` is its ``--json``)."""

    events: int  # events resolved: the new ones (a full resolve: every event)
    customers: int  # customers after it
    customers_touched: int  # earlier customers the new events touched (grown, merged, split)
    grown: int  # of those, the ones only grown (their earlier events not read back)
    new_customers: int  # customers more than before
    merged: int  # earlier customers joined into another
    split: int  # earlier customers that became several
    journey_rows: int  # journey_events rows written: appended, plus the table when sorted
    full: bool  # a full resolve ran instead
    reason: str | None  # why (a key of REASONS)
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.reason:
            en, vi = REASONS[self.reason]
            data["why"] = {"en": en, "vi": vi}
        return data


def resolve_incremental(
    ws: Workspace,
    step: Step | None = None,
    *,
    full_above: float = 0.5,
    rewrite_share: float = REWRITE_SHARE,
) -> IncrementalResult:
    """Stitch the events stored since the last resolve into customers, exactly as a full
    resolve of every event would, rewriting only what they change.

    ``ws`` must be open for writing. ``full_above``: when the new events are more than this
    share of all events, resolve in full (it costs about the same then); tests pass ``1.0``.
    ``rewrite_share``: :data:`REWRITE_SHARE` (tests pass ``1.0``: runs are always appended).
    The collection loader calls this after each stored batch.
    """
    started = time.perf_counter()
    if ws.read_only:
        raise WorkspaceError(
            "an incremental resolve writes to the workspace, which is open read-only",
            "phân giải tăng dần ghi vào workspace, nhưng workspace đang mở chỉ đọc",
            location=Location(str(ws.root)),
            hint_en="open the workspace for writing",
            hint_vi="hãy mở workspace ở chế độ ghi",
            code="workspace_read_only",
        )
    rules = Rules.from_config(ws.config.identity)
    last = last_covered(ws)
    reason = _why_full(ws, last, rules)
    if reason is None and last is not None and last.high_water is not None:
        new = int(ws.scalar("SELECT count(*) FROM events WHERE seq > ?", [last.high_water]))
        total = int(ws.scalar("SELECT count(*) FROM events"))
        if new == 0:
            return _nothing(ws, started)
        if new > full_above * total:
            reason = "large_batch"
        else:
            try:
                with ws.transaction():
                    return _incremental(ws, last, rules, new, started, step, rewrite_share)
            except Fallback as exc:  # rolled back: resolve in full
                reason = exc.reason
    return _full(ws, reason or "never_resolved", started, step)


def _why_full(ws: Workspace, last: Covered | None, rules: Rules) -> str | None:
    """The reason a full resolve is needed, or ``None`` when an incremental one is exact."""
    config = ws.config.identity
    if last is None or last.high_water is None or last.hist is None:
        return "never_resolved"
    if last.schema != SCHEMA_VERSION:
        return "schema_changed"
    if last.rules != rules.fingerprint():
        return "rules_changed"
    if last.max_links != config.max_links or last.relative_links != config.relative_links:
        return "settings_changed"
    if last.blocks != blocks_fingerprint(ws):
        return "blocks_changed"
    kept = ws.scalar("SELECT count(*) FROM events WHERE seq <= ?", [last.high_water])
    forgotten = ws.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'forget' AND logged_at >= ?",
        [last.run_at],
    )
    if kept != last.covered or forgotten:
        return "events_removed"
    return None


def _full(ws: Workspace, reason: str, started: float, step: Step | None) -> IncrementalResult:
    before = _customer_count(ws)
    result = resolve(ws, step)
    return IncrementalResult(
        events=result.events + result.unattributed_events,
        customers=result.customers,
        customers_touched=before,
        grown=0,
        new_customers=max(result.customers - before, 0),
        merged=0,
        split=0,
        journey_rows=result.events,
        full=True,
        reason=reason,
        seconds=time.perf_counter() - started,
    )


def _nothing(ws: Workspace, started: float) -> IncrementalResult:
    customers = _customer_count(ws)
    return IncrementalResult(
        0, customers, 0, 0, 0, 0, 0, 0, False, None, time.perf_counter() - started
    )


def _customer_count(ws: Workspace) -> int:
    return int(ws.scalar("SELECT coalesce(max(customer_id), 0) FROM event_customers"))


def _incremental(
    ws: Workspace,
    last: Covered,
    rules: Rules,
    new: int,
    started: float,
    step: Step | None,
    rewrite_share: float,
) -> IncrementalResult:
    """The incremental resolve, inside one transaction (rolled back on a fallback)."""
    say = step or (lambda _s: None)
    assert last.high_water is not None and last.hist is not None
    say("normalise")
    _normalize_new_values(ws, rules, since=last.high_water)
    nodes = int(ws.scalar("SELECT coalesce(max(node_id), -1) + 1 FROM identity_values"))
    if nodes > _MAX_NODES:
        raise Fallback("too_many_identifiers")  # the full resolve says where to go
    say("link")
    ix_new, seq_new = _event_nodes(ws, f"e.seq > {int(last.high_water)}")
    blocked, blocked_pairs = _blocks(ws, nodes)
    config = ws.config.identity
    graph = Graph(
        ws=ws,
        nodes=nodes,
        blocked=blocked,
        blocked_pairs=blocked_pairs,
        denied=_placeholders(ws, nodes),
        max_links=config.max_links,
        relative=config.relative_links,
        person=person_types(),
        hist=last.hist,
    )
    affected = recompute(graph, ix_new, seq_new)
    say("store")
    _store(ws, affected)
    say("journeys")
    rows, appended = _journeys(ws, affected, last.appended, rewrite_share)
    customers = _record(ws, affected, rules, int(seq_new.max()), appended)
    return IncrementalResult(
        events=new,
        customers=customers,
        customers_touched=affected.touched_before,
        grown=affected.grown,
        new_customers=customers - affected.customers_before,
        merged=affected.merged,
        split=affected.split,
        journey_rows=rows,
        full=False,
        reason=None,
        seconds=time.perf_counter() - started,
    )


_STATUS = "['linked', 'excluded', 'blocked'][status + 1]"


def _with(ws: Workspace, name: str, table: pa.Table, sql: str, params: Any = None) -> None:
    """Run ``sql`` with the Arrow ``table`` visible as ``name``."""
    ws.con.register(name, table)
    try:
        ws.con.execute(sql, params if params is not None else [])
    finally:
        ws.con.unregister(name)


def _store(ws: Workspace, a: Affected) -> None:
    """Write the recomputed customers.

    Order matters: rows of the recomputed customers go first (by their old ids), then the
    others are renumbered, then the new rows (already in final ids) go in."""
    nodes = pa.table({"node_id": a.nodes})
    _with(ws, "inc_nodes", nodes, "DELETE FROM identity_customers WHERE node_id IN "
          "(SELECT node_id FROM inc_nodes)")  # fmt: skip
    _with(ws, "inc_nodes", nodes, "DELETE FROM identity_links WHERE a IN "
          "(SELECT node_id FROM inc_nodes) AND b IN (SELECT node_id FROM inc_nodes)")  # fmt: skip
    _forget_and_renumber(ws, a, "event_customers")
    _renumber(ws, a, "identity_customers")
    customer = a.node_customer
    node_rows = pa.table(
        {
            "node_id": a.nodes,
            "customer_id": pa.array(customer, mask=customer == 0),
            "status": a.status,
            "max_links": a.max_links,
        }
    )
    _with(ws, "inc_rows", node_rows, f"INSERT INTO identity_customers "
          f"SELECT node_id, customer_id, {_STATUS}, max_links FROM inc_rows")  # fmt: skip
    links = pa.table(
        {"a": a.link_a, "b": a.link_b, "events": a.link_events, "first_seq": a.link_first,
         "used": a.link_used}
    )  # fmt: skip
    _with(ws, "inc_rows", links, "INSERT INTO identity_links SELECT * FROM inc_rows")
    _with(ws, "inc_rows", _attributed(a), "INSERT INTO event_customers SELECT * FROM inc_rows")


def _attributed(a: Affected) -> pa.Table:
    """The pass's ``(seq, customer_id)`` rows: the recomputed customers' events and the
    new ones, each with a customer."""
    attributed = a.event_customer > 0
    return pa.table({"seq": a.event_seq[attributed], "customer_id": a.event_customer[attributed]})


def _forget_and_renumber(ws: Workspace, a: Affected, table: str) -> None:
    """Delete the recomputed customers' rows of ``table`` (by their old ids), then move
    the ids that moved. Each is skipped when there is nothing to do: on a large store
    either one reads the whole table."""
    if len(a.recomputed):
        olds = pa.table({"customer_id": a.recomputed})
        _with(ws, "inc_old", olds, f"DELETE FROM {table} WHERE customer_id IN "
              "(SELECT customer_id FROM inc_old)")  # fmt: skip
    _renumber(ws, a, table)


def _renumber(ws: Workspace, a: Affected, table: str) -> None:
    """Move the ids that moved (an UPDATE in place: rows keep their positions)."""
    if not len(a.renumber_old):
        return
    renumber = pa.table({"old": a.renumber_old, "new": a.renumber_new})
    _with(ws, "inc_map", renumber, f"UPDATE {table} t SET customer_id = m.new "
          "FROM inc_map m WHERE t.customer_id = m.old")  # fmt: skip


def _journeys(ws: Workspace, a: Affected, appended: int, share: float) -> tuple[int, int]:
    """Keep ``journey_events`` up to date: the recomputed customers' rows out, moved ids
    moved, the pass's rows appended as one run in (customer, time) order — and, once the
    runs hold more than ``share`` of the table, the table sorted into one run.
    Returns the rows written and the rows now held in appended runs."""
    _forget_and_renumber(ws, a, "journey_events")
    rows = _attributed(a)
    if not rows.num_rows:
        return 0, appended
    seqs = a.event_seq[a.event_customer > 0]
    lo, hi = int(seqs.min()), int(seqs.max())
    cols = journey_select("e", "c")
    # the seq bounds let the scan of events skip what the pass does not need
    _with(ws, "inc_rows", rows, f"""INSERT INTO journey_events
        SELECT {cols} FROM events e JOIN inc_rows c USING (seq)
        WHERE e.seq BETWEEN ? AND ?
        ORDER BY c.customer_id, e.ts, e.seq""", [lo, hi])  # fmt: skip
    appended += rows.num_rows
    if appended > share * int(ws.scalar("SELECT count(*) FROM journey_events")):
        return rows.num_rows + _one_run(ws), 0
    return rows.num_rows, appended


def _one_run(ws: Workspace) -> int:
    """Sort ``journey_events`` into one run, from its own rows (no join to the events, no
    JSON read: a third cheaper than building it again); returns its rows.

    The sorted copy is appended, then every row that was there before it is deleted. This
    rests on DuckDB giving the rows a transaction writes row ids above every earlier one
    (they stay in the transaction's own storage, numbered from 2**55, until the commit);
    the copy's row ids and the count are checked, so a change there raises
    :class:`Fallback` (the pass resolves in full) instead of harming the table."""
    before = int(ws.scalar("SELECT count(*) FROM journey_events"))
    top = ws.scalar("SELECT max(rowid) FROM journey_events")
    if top is None:
        return 0
    ws.con.execute(
        "INSERT INTO journey_events SELECT * FROM journey_events ORDER BY customer_id, ts, seq"
    )
    above = ws.scalar("SELECT count(*) FROM journey_events WHERE rowid > ?", [int(top)])
    if above != before:  # never expected
        raise Fallback("journeys_unsorted")
    ws.con.execute("DELETE FROM journey_events WHERE rowid <= ?", [int(top)])
    if int(ws.scalar("SELECT count(*) FROM journey_events")) != before:  # never expected
        raise Fallback("journeys_unsorted")
    return before


def write_journeys_in_order(ws: Workspace) -> int:
    """Sort ``journey_events`` into one run when live identity left runs appended to it
    (the server calls this once collection has been quiet a while); returns the rows
    written, 0 when it was in order already."""
    last = last_covered(ws)
    if last is None or not last.appended:
        return 0
    with ws.transaction():
        try:
            rows = _one_run(ws)
        except Fallback:  # never expected: written again from the events instead
            build_journeys(ws)
            rows = int(ws.scalar("SELECT count(*) FROM journey_events"))
        ws.con.execute(
            """UPDATE identity_runs
            SET report = json_merge_patch(report, '{"journey_appended": 0}')
            WHERE run_at = (SELECT max(run_at) FROM identity_runs)"""
        )
    return rows


def _record(ws: Workspace, a: Affected, rules: Rules, high_water: int, appended: int) -> int:
    """Append the run to ``identity_runs``, with what it covered; returns the customers."""
    customers = _customer_count(ws)
    identifiers = int(ws.scalar("SELECT count(*) FROM identity_customers"))
    attributed = int(ws.scalar("SELECT count(*) FROM event_customers"))
    total = int(ws.scalar("SELECT count(*) FROM events"))
    excluded = int(ws.scalar("SELECT count(*) FROM identity_customers WHERE status <> 'linked'"))
    config = ws.config.identity
    report = {
        "excluded": excluded,
        "rounds": 1,
        "unattributed": total - attributed,
        "rules": rules.fingerprint(),
        "incremental": True,
        "high_water": high_water,
        "covered": total,
        "blocks": blocks_fingerprint(ws),
        "schema": SCHEMA_VERSION,
        "max_links": config.max_links,
        "relative_links": config.relative_links,
        "hist": encode_hist(a.hist),
        "journey_appended": appended,
    }
    # one row for the incremental runs since the last full one (the loader runs one a
    # second): the latest, with how many there were
    runs = ws.scalar(
        "SELECT coalesce(sum(CAST(report->>'runs' AS BIGINT)), 0) FROM identity_runs "
        "WHERE report->>'incremental' = 'true'"
    )
    ws.con.execute("DELETE FROM identity_runs WHERE report->>'incremental' = 'true'")
    report["runs"] = int(runs) + 1
    ws.con.execute(
        "INSERT INTO identity_runs VALUES (?, ?, ?, ?, ?)",
        [datetime.now(UTC).replace(tzinfo=None), customers, identifiers, attributed,
         json.dumps(report)],
    )  # fmt: skip
    return customers


__all__ = ["REASONS", "IncrementalResult", "resolve_incremental", "write_journeys_in_order"]
