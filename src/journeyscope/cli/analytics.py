"""The report commands, one module each: importing this registers them on the app.

funnel (:mod:`.funnel`), paths (:mod:`.paths`), stages (:mod:`.stage_report`),
touchpoints (:mod:`.touchpoints`), retention (:mod:`.retention`), attribution
(:mod:`.attribution`), insights (:mod:`.insights`). Each is parse → typed query →
:func:`journeyscope.app.run` → print; none imports an engine.
"""

from __future__ import annotations

from journeyscope.cli import (
    attribution,
    funnel,
    insights,
    paths,
    retention,
    stage_report,
    touchpoints,
)

__all__ = [
    "attribution",
    "funnel",
    "insights",
    "paths",
    "retention",
    "stage_report",
    "touchpoints",
]
