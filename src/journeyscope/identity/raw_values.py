"""Raw identifier values normalised in bulk, by the workspace's rules, in the engine.

``forget`` (every raw value stored since the last resolve) and the suppression check of
import (every raw value of a file; :mod:`journeyscope.events.suppression`) normalise many
values at once; they use the SQL form of the rules that resolve uses, so a spelling is
matched exactly as resolve would link it, at the engine's speed.
"""

from __future__ import annotations

from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import Workspace
from journeyscope.identity.resolve import normalize_fresh
from journeyscope.identity.rules import Rules


def normalise_raws(ws: Workspace, source: str, target: str) -> None:
    """Fill the TEMP table ``target (id_type, raw, value)`` from the relation ``source``
    (columns ``id_type, raw``): ``value`` NULL where the raw value is not an identifier."""
    con = ws.con
    rules = Rules.from_config(ws.config.identity)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {target} (id_type VARCHAR, raw VARCHAR, value VARCHAR)"
    )
    present = {t for (t,) in con.execute(f"SELECT DISTINCT id_type FROM {source}").fetchall()}
    try:
        for id_type in IDENTIFIER_TYPES:
            if id_type not in present:
                continue
            con.execute(
                "CREATE OR REPLACE TEMP TABLE new_raw AS "
                f"SELECT DISTINCT raw FROM {source} WHERE id_type = ? AND raw IS NOT NULL",
                [id_type],
            )
            normalize_fresh(con, id_type, rules)
            con.execute(f"INSERT INTO {target} SELECT ?, raw, value FROM fresh", [id_type])
    finally:
        for table in ("new_raw", "fresh"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
