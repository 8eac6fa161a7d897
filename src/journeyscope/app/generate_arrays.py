"""A generated map's actions, placed feedback and first day, from the scan the stages and
touchpoints reports already made (:func:`journeyscope.analytics.events_arrays.shared_reads`).

The SQL forms in :mod:`journeyscope.app.generate` stay for a scope the arrays cannot serve;
tests hold the two equal. Rows are in journey order (customer, time, seq), so "the
customer's last staged, non-feedback event at or before a feedback answer" (the SQL form's
as-of join) is a running maximum of row numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from journeyscope.arrays import distinct
from journeyscope.living.generate import FEEDBACK_EVENTS, FeedbackItem

if TYPE_CHECKING:
    from journeyscope.analytics.events_arrays import Events
    from journeyscope.events.workspace import Workspace
    from journeyscope.maps.stage_models import StageModel

__all__ = ["actions", "feedback", "first_day"]


def _own(ev: Events) -> np.ndarray:
    """Rows that are staged events of the customer's own, not feedback answers."""
    mask: np.ndarray = (ev.stage >= 0) & ~np.isin(ev.event, ev.codes(list(FEEDBACK_EVENTS)))
    return mask


def actions(ev: Events, model: StageModel) -> list[tuple[str, str, int]]:
    """Per stage, its events and how many customers did each (feedback aside)."""
    ids = [s.id for s in model.stages]
    keep = _own(ev)
    names = max(len(ev.event_names), 1)
    pairs = len(ids) * names
    pair = ev.stage[keep] * names + ev.event[keep]
    found = distinct(ev.owner[keep] * pairs + pair)  # (customer, stage, event) once each
    counts = np.bincount(found % pairs, minlength=pairs)
    return [
        (ids[p // names], ev.event_names[p % names], int(counts[p]))
        for p in np.flatnonzero(counts).tolist()
    ]


def feedback(ws: Workspace, ev: Events, model: StageModel) -> list[FeedbackItem]:
    """Each feedback answer of the period on the stage (and touchpoint) of the customer's
    last staged non-feedback event at or before it, in journey order."""
    rows = ws.con.execute(
        "SELECT seq, kind, text, sentiment, sentiment_score, stars, nps, csat, ces, aspects "
        "FROM feedback"
    ).fetchall()
    if not rows or not len(ev.seq):
        return []
    by_seq = {int(r[0]): r for r in rows}
    answered = np.flatnonzero(np.isin(ev.seq, np.fromiter(by_seq, np.int64), kind="table"))
    at = np.where(_own(ev), np.arange(len(ev.owner)), -1)
    before = np.maximum.accumulate(at)[answered]
    placed = (before >= 0) & (ev.owner[np.maximum(before, 0)] == ev.owner[answered])
    ids = [s.id for s in model.stages]
    out = []
    for i, j, ok in zip(answered.tolist(), before.tolist(), placed.tolist(), strict=True):
        stage = ids[int(ev.stage[j])] if ok else None
        touchpoint = ev.tp_names[int(ev.tp[j])] if ok else None
        out.append(FeedbackItem.of_row(stage, touchpoint, by_seq[int(ev.seq[i])][1:]))
    return out


def first_day(ev: Events) -> str | None:
    """The (UTC) day of the first event read, as the SQL form's ``str(min(ts))[:10]``."""
    if not len(ev.us):
        return None
    return str(datetime(1970, 1, 1) + timedelta(microseconds=int(ev.us.min())))[:10]
