"""The application layer: typed queries in, typed reports out, one dispatch.

Every face — the CLI, the HTTP API, the web app, notebooks — calls :func:`run` (or the
operation for one report in :mod:`journeyscope.app.operations`) with a query from
:mod:`journeyscope.app.queries`, and gets a report from :mod:`journeyscope.app.reports`.
Engines are chosen in :mod:`journeyscope.engine.select`, never by a face.
"""

from __future__ import annotations

from journeyscope.app.operations import OPERATIONS, run
from journeyscope.app.workspace import Workspace

__all__ = ["OPERATIONS", "Workspace", "run"]
