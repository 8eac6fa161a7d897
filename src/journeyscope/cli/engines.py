"""Where a command runs: kept for importers; the choice itself is the engine package's
(:mod:`journeyscope.engine.select`) and the options are :mod:`journeyscope.cli.options`."""

from __future__ import annotations

from typing import Any

from journeyscope.cli.options import DatasetOpt, EngineOpt, SparkMasterOpt

__all__ = [
    "DatasetOpt",
    "EngineOpt",
    "SparkMasterOpt",
    "chosen_engine",
    "dataset_location",
    "source_location",
]


def chosen_engine(*args: Any, **kwargs: Any) -> str:
    from journeyscope.engine.select import chosen_engine as choose

    return choose(*args, **kwargs)


def dataset_location(*args: Any, **kwargs: Any) -> str:
    from journeyscope.engine.select import dataset_location as where

    return where(*args, **kwargs)


def source_location(*args: Any, **kwargs: Any) -> str:
    from journeyscope.engine.select import source_location as where

    return where(*args, **kwargs)
