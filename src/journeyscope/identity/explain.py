"""Why an identifier sits in its customer: the chain of links, with the events as evidence."""

from __future__ import annotations

from collections import deque
from typing import Any

from journeyscope.errors import NotFound
from journeyscope.events.schema import SEQ_SHIFT
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import local_iso
from journeyscope.identity.normalize import parse_identifier
from journeyscope.identity.rules import Rules

#: Why an identifier links nothing, by the rule the last resolve applied (English; the
#: CLI says it in the user's language through the i18n keys ``why_<rule>``)
WHY = {
    "placeholder": "a placeholder, not a person's identifier (identity.deny), so it links nothing",
    "max_links": "linked to {n} distinct values of one type (more than identity.max_links = "
    "{limit}), so it links nothing",
    "relative": "linked to {n} distinct values of one type, far more than almost every other "
    "identifier of its type (identity.relative_links), so it links nothing",
    "block": "blocked by `journeyscope identity block`",
}


def _exclusion(ws: Workspace, identifier: str, status: str, links: int) -> tuple[str, int | None]:
    """Which rule keeps this identifier from linking, and the limit it passed, read from
    what the rules say today: a placeholder, a block, more links than ``max_links``, or
    (else) more than the data's own limit (``identity.relative_links``)."""
    config = ws.config.identity
    id_type, _, value = identifier.partition(":")
    if status == "blocked":
        return "block", None
    if Rules.from_config(config).normalize(id_type, value)[1] == "placeholder":
        return "placeholder", None
    if links > config.max_links:
        return "max_links", config.max_links
    return "relative", None


def find_node(ws: Workspace, text: str) -> tuple[int, str, str, int | None, str, int]:
    rules = Rules.from_config(ws.config.identity)
    id_type, value = parse_identifier(text, ws.config.identity.default_region, rules)
    row = ws.one(
        "SELECT node_id, id_type, value, customer_id, status, max_links FROM identity_nodes "
        "WHERE id_type = ? AND value = ?",
        [id_type, value],
    )
    if row is None:
        hint_en, hint_vi = _missing_identifier_hint(ws)
        raise NotFound(
            f"no identifier {id_type}:{value} in this workspace (after the last resolve)",
            f"không có định danh {id_type}:{value} trong workspace (tính đến lần gộp gần nhất)",
            hint_en=hint_en,
            hint_vi=hint_vi,
        )
    return row


def _missing_identifier_hint(ws: Workspace) -> tuple[str, str]:
    """Advise a resolve only when one would help: none has run, or events came after it;
    otherwise the identifier is simply not in the data."""
    last = ws.one(
        "SELECT events + CAST(report->>'unattributed' AS BIGINT) FROM identity_runs "
        "ORDER BY run_at DESC LIMIT 1"
    )
    total = int(ws.scalar("SELECT count(*) FROM events"))
    if last is None or (last[0] is not None and total > int(last[0])):
        return (
            "run `journeyscope identity resolve` after importing",
            "chạy `journeyscope identity resolve` sau khi nhập dữ liệu",
        )
    return (
        "check the type and spelling (e.g. phone:0903123456, email:an@example.com); "
        "`journeyscope identity export -o ids.csv` lists every identifier",
        "kiểm tra loại và cách viết (ví dụ phone:0903123456, email:an@example.com); "
        "`journeyscope identity export -o ids.csv` liệt kê mọi định danh",
    )


def explain(ws: Workspace, text: str) -> dict[str, Any]:
    """A breadth-first tree of links from the identifier across its customer."""
    node_id, id_type, value, customer, status, max_links = find_node(ws, text)
    result: dict[str, Any] = {
        "identifier": f"{id_type}:{value}",
        "customer_id": customer,
        "status": status,
        "max_links": max_links,
        "links": [],
    }
    if status != "linked":
        rule, limit = _exclusion(ws, result["identifier"], status, int(max_links))
        result["rule"], result["limit"] = rule, limit
        result["why"] = WHY[rule].format(n=max_links, limit=limit)
        return result
    con = ws.con
    names = {
        n: f"{t}:{v}"
        for n, t, v in con.execute(
            "SELECT node_id, id_type, value FROM identity_nodes WHERE customer_id = ?",
            [customer],
        ).fetchall()
    }
    edges = con.execute(
        """SELECT l.a, l.b, l.events, l.first_seq, e.source, e.event_id, e.ts, e.event, e.channel
        FROM identity_links l JOIN events e ON e.seq = l.first_seq
        WHERE l.used AND l.a IN (SELECT node_id FROM identity_nodes WHERE customer_id = $c)""",
        {"c": customer},
    ).fetchall()
    adjacent: dict[int, list[tuple[int, tuple[Any, ...]]]] = {}
    for edge in edges:
        adjacent.setdefault(edge[0], []).append((edge[1], edge))
        adjacent.setdefault(edge[1], []).append((edge[0], edge))
    seen = {node_id}
    queue = deque([(node_id, 0)])
    while queue:
        current, depth = queue.popleft()
        for other, edge in sorted(adjacent.get(current, []), key=lambda x: names.get(x[0], "")):
            if other in seen:
                continue
            seen.add(other)
            queue.append((other, depth + 1))
            result["links"].append(
                {
                    "from": names[current],
                    "to": names[other],
                    "depth": depth + 1,
                    "events_together": edge[2],
                    "first_evidence": {
                        "source": edge[4],
                        "event_id": edge[5],
                        "ts": local_iso(edge[6], ws.config.timezone),
                        "event": edge[7],
                        "channel": edge[8],
                        "import_id": edge[3] >> SEQ_SHIFT,
                    },
                }
            )
    return result
