"""What a `pip install 'journeyscope[spark]'` brings is enough for the Spark code: every
package the Spark modules import (at the top or inside functions) is a core dependency or
in the `spark` extra — a `[spark]`-only install never fails on a missing import."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "journeyscope"
SPARK_MODULES = [
    SRC / "engine" / "spark.py",
    SRC / "events" / "spark_store.py",
    SRC / "events" / "lake_tables.py",
    SRC / "identity" / "spark_resolve.py",
    SRC / "identity" / "spark_components.py",
]


def _imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return {m for m in found if m != "journeyscope" and m not in sys.stdlib_module_names}


def _requirement_names(specs: list[str]) -> set[str]:
    return {re.split(r"[<>=!\[; ]", s, maxsplit=1)[0].lower().replace("_", "-") for s in specs}


def test_the_spark_extra_covers_every_import_of_the_spark_code() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    allowed = _requirement_names(project["dependencies"]) | _requirement_names(
        project["optional-dependencies"]["spark"]
    )
    dists = importlib.metadata.packages_distributions()
    modules = set().union(*(_imported(p) for p in SPARK_MODULES if p.exists()))
    assert {"pyspark", "pyarrow", "pandas"} <= modules
    missing = {
        module: dists.get(module, [module])
        for module in modules
        if not {d.lower().replace("_", "-") for d in dists.get(module, [module])} & allowed
    }
    assert not missing, f"imported by the Spark code but not installed by [spark]: {missing}"
