"""Fuzzing every reader: random bytes and random structured junk end in success or a
:class:`JourneyScopeError`, never another exception (which the CLI would show as a traceback).

The budget is fixed (``max_examples`` per reader, no deadline) so the whole file runs in well
under a minute; examples are not stored between runs. Event files go through the real import
(``ingest_files``) into one workspace, which must stay usable after every failure. Documents
(mappings, maps, personas, stage models, stage rules) are real files mutated at a random
place, so the junk reaches validation instead of stopping at the first line.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import functools
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.errors import JourneyScopeError
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src" / "journeyscope"
FILE_EXAMPLES = 25  # per event-file format and kind of junk: each is a real import
DOC_EXAMPLES = 60  # per document kind: parsing and validation only
FUZZ = settings(
    max_examples=FILE_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DOCS = settings(FUZZ, max_examples=DOC_EXAMPLES)

FIELDS = ["event_id", "ts", "event", "channel", "revenue", "phone", "email", "properties"]
COLUMN = st.one_of(st.sampled_from([*FIELDS, "utm_source", "x", "X", "_rec", ""]), st.text())
TIMES = ["2026-05-01T10:00:00+07:00", "01/05/2026 10:00", "1714532400", "", "NaN", "9" * 40]
CELL = st.one_of(
    st.sampled_from([*TIMES, "1.250.000 ₫", "NULL", '"', "a,b", "\n", "\r\n", "=1+1"]),
    st.text(max_size=30),
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(TIMES),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
#: Column names: the two every import needs, in any order, among random others.
HEADER = st.lists(COLUMN, max_size=4).flatmap(
    lambda extra: st.permutations(["ts", "event", *extra])
)
PREFIX = st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\xff", b"\x00"])
ENCODING = st.sampled_from(["utf-8", "utf-16", "utf-16-be", "cp1258"])


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    """One workspace for every example (it must survive each failure) and a file folder."""
    root = tmp_path_factory.mktemp("fuzz")
    with Workspace.init(root / "ws") as ws:
        yield ws, root


_names = itertools.count()


def _file(root: Path, suffix: str) -> Path:
    return root / f"f{next(_names)}{suffix}"


def _ingest(place: tuple[Workspace, Path], path: Path, encoding: str | None = None) -> None:
    ws, _ = place
    try:
        now = datetime.now(UTC).replace(tzinfo=None)
        ingest_files(ws, [path], load_mapping(None), now=now, encoding=encoding)
    except JourneyScopeError:
        pass
    # whatever happened, the workspace is usable and no copy of the rows is left behind
    assert ws.scalar("SELECT count(*) >= 0 FROM events")
    left = [p for p in (ws.root / "tmp").rglob("*") if p.is_file()]
    assert left == [], left


# ------------------------------------------------------------------------- random bytes


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".xlsx", ".csv.gz"])
@FUZZ
@given(data=st.binary(max_size=3000), prefix=PREFIX)
def test_random_bytes_in_any_event_file(
    place: tuple[Workspace, Path], suffix: str, data: bytes, prefix: bytes
) -> None:
    path = _file(place[1], suffix)
    path.write_bytes(prefix + data)
    _ingest(place, path)


# ------------------------------------------------------------------ structured junk


def _rows(header: list[str], cell: st.SearchStrategy[Any]) -> st.SearchStrategy[list[list[Any]]]:
    """Rows as wide as the header, now and then one narrower or wider."""
    width = st.sampled_from([len(header)] * 5 + [max(len(header) - 1, 0), len(header) + 1])
    return st.lists(width.flatmap(lambda n: st.lists(cell, min_size=n, max_size=n)), max_size=8)


@FUZZ
@given(
    data=st.data(),
    header=HEADER,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=ENCODING,
    bom=st.booleans(),
)
def test_junk_csv(
    place: tuple[Workspace, Path],
    data: st.DataObject,
    header: list[str],
    delimiter: str,
    encoding: str,
    bom: bool,
) -> None:
    body = data.draw(_rows(header, CELL))
    lines = [delimiter.join(header), *(delimiter.join(row) for row in body)]
    text = "\n".join(lines) + "\n"
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    if bom and encoding == "utf-8":
        raw = codecs.BOM_UTF8 + raw
    path = _file(place[1], ".csv")
    path.write_bytes(raw)
    _ingest(place, path, encoding if encoding == "cp1258" else None)


EVENT_OBJECT = st.fixed_dictionaries(
    {"ts": st.sampled_from(TIMES) | JSON, "event": st.text(max_size=10) | JSON},
    optional={"event_id": JSON, "revenue": JSON, "phone": JSON, "properties": JSON},
)


@FUZZ
@given(lines=st.lists(st.one_of(EVENT_OBJECT, JSON, st.dictionaries(COLUMN, JSON)), max_size=8))
def test_junk_json_lines(place: tuple[Workspace, Path], lines: list[Any]) -> None:
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    path = _file(place[1], ".jsonl")
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _ingest(place, path)


SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "text": st.text(max_size=20) | st.sampled_from(TIMES),
    "int": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "float": st.floats(),
    "bool": st.booleans(),
    "time": st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    "list": st.lists(st.integers(min_value=-99, max_value=99), max_size=3),
}


@FUZZ
@given(
    data=st.data(),
    names=HEADER.map(lambda names: list(dict.fromkeys(names))),
    rows=st.integers(min_value=0, max_value=6),
)
def test_junk_parquet(
    place: tuple[Workspace, Path], data: st.DataObject, names: list[str], rows: int
) -> None:
    columns = {}
    for name in names:
        kind = data.draw(st.sampled_from(sorted(SCALARS)))
        values = data.draw(st.lists(st.none() | SCALARS[kind], min_size=rows, max_size=rows))
        columns[name] = pa.array(values)
    path = _file(place[1], ".parquet")
    pq.write_table(pa.table(columns), path)
    _ingest(place, path)


XLSX_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x00"), max_size=20
)
XLSX_CELL = st.one_of(
    st.none(),
    XLSX_TEXT,
    st.sampled_from(TIMES),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
)


@FUZZ
@given(
    data=st.data(),
    header=st.lists(st.none() | st.sampled_from(FIELDS) | XLSX_TEXT, max_size=4).flatmap(
        lambda extra: st.permutations(["ts", "event", *extra])
    ),
)
def test_junk_xlsx(
    place: tuple[Workspace, Path], data: st.DataObject, header: list[str | None]
) -> None:
    body = data.draw(_rows([str(h) for h in header], XLSX_CELL))
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *body]:
        sheet.append(row)
    path = _file(place[1], ".xlsx")
    book.save(path)
    _ingest(place, path)


# ---------------------------------------------------------------------------- documents


def _loaders() -> dict[str, tuple[Path, Callable[[Path], object]]]:
    """Each document reader, with a real document of its kind to mutate."""
    from journeyscope.analytics.stages import load_rules
    from journeyscope.maps.library import load_persona
    from journeyscope.maps.stage_models import load_stage_models
    from journeyscope.maps.validate import load_map

    templates = sorted((SRC / "maps" / "templates").glob("*.yaml"))
    personas = sorted((SRC / "maps" / "personas").glob("*.yaml"))
    mappings = sorted((ROOT / "examples").glob("*.yaml"))
    return {
        "mapping": (mappings[0], load_mapping),
        "map": (templates[0], load_map),
        "persona": (personas[0], load_persona),
        "stage_models": (SRC / "maps" / "stage_models.yaml", load_stage_models),
        "stage_rules": (SRC / "analytics" / "stage_rules.yaml", load_rules),
    }


LOADERS = _loaders()


@functools.cache
def _seed(kind: str) -> Any:
    """The real document to mutate, parsed once (the built-in files hold many models: one
    is a valid file too, and much quicker to write and read sixty times)."""
    seed = yaml.safe_load(LOADERS[kind][0].read_text(encoding="utf-8"))
    return seed[:1] if isinstance(seed, list) else seed


def _read(kind: str, path: Path) -> None:
    with contextlib.suppress(JourneyScopeError):
        LOADERS[kind][1](path)


def _mutate(data: Any, draw: st.DataObject) -> Any:
    """Replace one randomly chosen value (or the whole document) by random JSON."""
    data = copy.deepcopy(data)
    if data is None or draw.draw(st.integers(0, 9)) == 0:
        return draw.draw(JSON)
    if isinstance(data, list) and data and draw.draw(st.booleans()):
        data = data[0]  # a list of one model, or the model alone: both are valid
    node = data
    for _ in range(draw.draw(st.integers(0, 6))):
        if isinstance(node, dict) and node:
            key = draw.draw(st.sampled_from(sorted(node, key=str)))
            if not isinstance(node[key], dict | list) or draw.draw(st.booleans()):
                node[key] = draw.draw(JSON)
                return data
            node = node[key]
        elif isinstance(node, list) and node:
            index = draw.draw(st.integers(0, len(node) - 1))
            if not isinstance(node[index], dict | list) or draw.draw(st.booleans()):
                node[index] = draw.draw(JSON)
                return data
            node = node[index]
    if isinstance(node, dict):
        node[draw.draw(st.text(max_size=8))] = draw.draw(JSON)
    elif isinstance(node, list):
        node.append(draw.draw(JSON))
    return data


@pytest.mark.parametrize("kind", sorted(LOADERS))
@DOCS
@given(data=st.binary(max_size=2000), as_json=st.booleans())
def test_random_bytes_in_any_document(
    tmp_path_factory: pytest.TempPathFactory, kind: str, data: bytes, as_json: bool
) -> None:
    path = tmp_path_factory.mktemp("doc") / ("doc.json" if as_json else "doc.yaml")
    path.write_bytes(data)
    _read(kind, path)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@DOCS
@given(draw=st.data(), as_json=st.booleans())
def test_mutated_documents(
    tmp_path_factory: pytest.TempPathFactory, kind: str, draw: st.DataObject, as_json: bool
) -> None:
    junk = _mutate(_seed(kind), draw)
    folder = tmp_path_factory.mktemp("doc")
    if as_json:
        path = folder / "doc.json"
        path.write_text(json.dumps(junk, ensure_ascii=False, default=str), encoding="utf-8")
    else:
        path = folder / "doc.yaml"
        path.write_text(yaml.safe_dump(junk, allow_unicode=True), encoding="utf-8")
    _read(kind, path)


@pytest.mark.parametrize("suffix", [".mmd", ".xlsx"])
@DOCS
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.lists(
            st.sampled_from(["journey", "title T", "section S", "  Task: 5: Me", ":", "::"])
            | st.text(max_size=30),
            max_size=12,
        ).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    )
)
def test_random_map_imports(
    tmp_path_factory: pytest.TempPathFactory, suffix: str, data: bytes
) -> None:
    """`map import` reads a Mermaid journey or an XLSX grid: junk ends in a clear error."""
    from journeyscope.maps.api import import_map

    path = tmp_path_factory.mktemp("import") / f"map{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(JourneyScopeError):
        import_map(path)
