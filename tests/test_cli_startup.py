"""The CLI starts fast: importing it, and drawing every command's help, loads no database
engine, no compiled kernels, no Spark, no browser, no data frames and no demo.

Run in a fresh interpreter (this test process has imported all of them already).
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "duckdb",
    "numba",
    "pyspark",
    "playwright",
    "pandas",
    "pyarrow",
    "numpy",
    "scipy",
    "openpyxl",
    "rich",
    "journeyscope.demo",
    "journeyscope.engine",
    "journeyscope.app",
    "journeyscope.analytics",
    "journeyscope.events",
    "journeyscope.identity",
    "journeyscope.render",
)

PROBE = """
import contextlib, io, json, sys
import journeyscope.cli as cli
from journeyscope.cli.help import walk
paths = []
for path, _ in walk(cli.build_command()):
    with contextlib.redirect_stdout(io.StringIO()) as text:
        try:
            cli.main([*path, "--help"])
        except SystemExit as exc:
            assert not exc.code, (path, exc.code)
    assert "Usage:" in text.getvalue(), path
    paths.append(" ".join(path))
print(json.dumps({"paths": paths, "loaded": sorted(sys.modules)}))
"""

EXPECTED = {
    "init",
    "ingest",
    "stats",
    "export-parquet",
    "forget",
    "demo",
    "funnel",
    "paths",
    "touchpoints",
    "retention",
    "attribution",
    "map schema",
    "map templates",
    "map new",
    "map validate",
    "map render",
    "map import",
    "map diff",
    "stages",
    "stages list",
    "stages show",
    "persona list",
    "persona new",
    "persona validate",
    "persona render",
    "identity resolve",
    "identity explain",
    "identity block",
    "identity blocks",
    "identity export",
    "customers show",
    "events export",
}


def _probe() -> dict[str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    data: dict[str, list[str]] = json.loads(proc.stdout)
    return data


def test_importing_the_cli_and_its_help_loads_nothing_heavy() -> None:
    loaded = set(_probe()["loaded"])
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == [], f"imported at CLI start: {heavy}"


def test_every_command_still_registers() -> None:
    paths = set(_probe()["paths"])
    assert paths >= EXPECTED, sorted(EXPECTED - paths)


def test_help_of_a_command_loads_no_pydantic() -> None:
    """Typer checks option values with pydantic; help alone must not pay for it."""
    code = (
        "import sys, journeyscope.cli as c\n"
        "for a in ([], ['map'], ['map', 'render'], ['funnel'], ['identity', 'resolve']):\n"
        "    try: c.main([*a, '--help'])\n"
        "    except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_demo_help_lists_the_renderers_that_exist() -> None:
    from journeyscope.cli.demo import MAP_FORMATS
    from journeyscope.render.outputs import RENDERERS

    assert set(MAP_FORMATS) <= set(RENDERERS)
    # the others are other names of the same renderers (.htm)
    listed = {RENDERERS[f] for f in MAP_FORMATS}
    assert all(r in listed for r in RENDERERS.values())
