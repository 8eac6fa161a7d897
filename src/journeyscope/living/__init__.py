"""Living maps: journey-map cells bound to numbers drawn from a workspace.

:mod:`journeyscope.living.metrics` names the metrics and where each number comes from,
:mod:`journeyscope.living.bind` evaluates a map's bindings against the reports the CLI
prints, and :mod:`journeyscope.living.format` writes a value in English and Vietnamese.
The application layer (:mod:`journeyscope.app.living`) hands in the reports.
"""

from __future__ import annotations

from journeyscope.living.bind import BoundValue, Settings, bound_items, evaluate, fill

__all__ = ["BoundValue", "Settings", "bound_items", "evaluate", "fill"]
