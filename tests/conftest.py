"""Shared fixtures: paths, the CLI run in-process, golden files, the browser marker."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from journeyscope.cli import main
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve
from journeyscope.render.browser import find_chromium

# an unknown i18n key is an error in tests (users would see the bare key)
os.environ["JOURNEYSCOPE_STRICT_I18N"] = "1"

TESTS = Path(__file__).parent
GOLDEN = TESTS / "golden"
TEMPLATES = TESTS.parent / "src" / "journeyscope" / "maps" / "templates"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        help="Rewrite golden files from the current output.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if find_chromium() is None:
        skip = pytest.mark.skip(
            reason="Chromium not found: install Debian's `chromium` "
            "(bash .ci/run does) or set JOURNEYSCOPE_CHROMIUM"
        )
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run ``journeyscope ARGS`` in this process and return exit code and output."""
    monkeypatch.delenv("JOURNEYSCOPE_LANG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with ``tests/golden/<test name>.<ext>``; ``--snapshot-update`` rewrites."""
    update = bool(request.config.getoption("--snapshot-update"))

    def check(text: str, ext: str) -> None:
        name = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
        path = GOLDEN / f"{name}.{ext}"
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {path.name} is missing; run pytest --snapshot-update")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{path.name} differs; inspect and run --snapshot-update"

    return check


def template_ids() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.yaml"))


SHARED_DATA = TESTS.parent.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or a skip saying why it is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: clone the project next to shared/ (CI has it)")
    return path


@pytest.fixture(scope="session")
def demo_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo exports of 600 simulated customers (seed 11), generated once per run."""
    from journeyscope.events.demo_data import generate

    folder = tmp_path_factory.mktemp("demo-sources")
    generate(folder, customers=600, seed=11)
    return folder


@pytest.fixture(scope="session")
def demo_workspace_template(tmp_path_factory: pytest.TempPathFactory, demo_sources: Path) -> Path:
    """A workspace with the demo imported and resolved; copy it before changing it."""
    from journeyscope.events.ingest import ingest_files
    from journeyscope.events.mapping import load_mapping
    from journeyscope.events.workspace import Workspace
    from journeyscope.identity.resolve import resolve

    root = tmp_path_factory.mktemp("demo-ws") / "ws"
    facts = json.loads((demo_sources / "facts.json").read_text(encoding="utf-8"))
    with Workspace.init(root) as ws:
        for item in facts["files"]:
            mapping = demo_sources / item["mapping"] if item["mapping"] else None
            ingest_files(ws, [demo_sources / item["file"]], load_mapping(mapping))
        resolve(ws)
    return root


@pytest.fixture
def demo_workspace(demo_workspace_template: Path, tmp_path: Path) -> Path:
    """A private copy of the resolved demo workspace."""
    import shutil

    target = tmp_path / "ws"
    shutil.copytree(demo_workspace_template, target)
    return target


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Spark session (2 cores) for the whole run, or a skip saying what is missing.

    CI has PySpark (the dev extra) and Java 17 (scripts/setup.sh installs it)."""
    from journeyscope.errors import MissingDependency
    from journeyscope.events.spark_store import spark_session

    try:
        session = spark_session(
            "local[2]",
            **{
                "spark.sql.shuffle.partitions": "4",
                # a catalog table's default home; not the folder the tests run in
                "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("spark-warehouse")),
            },
        )
    except MissingDependency as exc:
        pytest.skip(f"Spark engine unavailable: {exc}")
    yield session
    session.stop()


# a workspace built from plain event dicts, identities resolved (analytics, identity, Spark)
MakeWorkspace = Callable[[list[dict[str, Any]]], Workspace]


@pytest.fixture
def make_workspace(tmp_path: Path) -> Iterator[MakeWorkspace]:
    """``make([{"user_id": "p1", "event": "a", "ts": "2024-01-01T00:00:00Z"}, ...])``.

    The workspace's time zone is UTC so dates in tests mean what they say.
    """
    opened: list[Workspace] = []
    count = [0]

    def make(events: list[dict[str, Any]]) -> Workspace:
        count[0] += 1
        root = tmp_path / f"ws{count[0]}"
        ws = Workspace.init(root, WorkspaceConfig(timezone="UTC"))
        src = root / "events.jsonl"
        rows = [{"channel": "web", **e} for e in events]
        src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
        ingest_files(ws, [src], load_mapping(None))
        resolve(ws)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


# ---------------------------------------------------------------- one suite, every engine

#: The engines a report test runs on: DuckDB always, Spark where PySpark and Java are
ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine under test (report tests take ``on_engine`` and run on each)."""
    return str(request.param)


@pytest.fixture
def on_engine(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Any]:
    """``on_engine(ws)``: the runner of the engine under test over a workspace — DuckDB's
    own, or Spark over the workspace exported as an ``export-parquet`` dataset."""
    from journeyscope.engine.runner import Runner

    lakes: dict[int, Any] = {}

    def runner(ws: Workspace) -> Any:
        if engine == "duckdb":
            return Runner(ws)
        if id(ws) not in lakes:
            from tests.analytics.spark_helpers import on_spark

            lakes[id(ws)] = on_spark(
                request.getfixturevalue("spark"), ws, tmp_path / f"lake{len(lakes)}"
            )
        return lakes[id(ws)]

    return runner
