"""Reading and writing documents as YAML or JSON, keeping where every value came from.

Documents are parsed with PyYAML's composer so each value's line and column are known;
validation problems then point at ``FILE:LINE:COL`` like a compiler's.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from journeyscope.errors import DocumentError, Location, OutputError, missing_file

PathKey = tuple[str | int, ...]
Positions = dict[PathKey, tuple[int, int]]


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise missing_file(path) from None
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            f"tệp không phải văn bản UTF-8 ({exc.reason} tại byte {exc.start})",
            location=Location(file=str(path)),
            hint_en="save the file as UTF-8",
            hint_vi="hãy lưu tệp với mã hoá UTF-8",
        ) from None


def parse(text: str, source: str) -> tuple[Any, Positions]:
    """Parse YAML (or JSON, which YAML reads too) into data plus a position index."""
    if source.endswith(".json"):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise DocumentError(
                f"malformed JSON: {exc.msg}",
                f"JSON sai cú pháp: {exc.msg}",
                location=Location(file=source, line=exc.lineno, column=exc.colno),
                hint_en="fix the JSON syntax at that place",
                hint_vi="sửa cú pháp JSON tại vị trí đó",
            ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        raise DocumentError(
            f"malformed YAML: {problem}",
            f"YAML sai cú pháp: {problem}",
            location=Location(
                file=source,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ),
            hint_en="check indentation, colons and quotes near that place",
            hint_vi="kiểm tra thụt lề, dấu hai chấm và dấu ngoặc kép gần vị trí đó",
        ) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"malformed YAML: {exc}", location=Location(file=source)) from None
    positions: Positions = {}
    if node is not None:
        positions = dict(_walk(node, ()))
    return data, positions


def _walk(node: yaml.Node, path: PathKey) -> Iterator[tuple[PathKey, tuple[int, int]]]:
    yield path, (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            # A key's own position is the best place to point at for problems with the key.
            yield (*path, key), (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            for sub_path, pos in _walk(value_node, (*path, key)):
                if sub_path != (*path, key):
                    yield sub_path, pos
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*path, index))


def position_of(positions: Positions, loc: PathKey) -> tuple[PathKey, tuple[int, int] | None]:
    """The longest prefix of ``loc`` that exists in the document, and where it is."""
    for end in range(len(loc), -1, -1):
        prefix = loc[:end]
        if prefix in positions:
            return prefix, positions[prefix]
    return (), None


def load_data(path: Path) -> tuple[Any, Positions]:
    return parse(read_text(path), str(path))


class _Dumper(yaml.SafeDumper):
    """Stable, readable YAML: insertion order, unicode kept, block style for long text."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def to_plain(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)


def dump_document(model: BaseModel, fmt: str = "yaml") -> str:
    plain = to_plain(model)
    # Keep the identifying keys even when they equal their defaults.
    for key in ("schema_version", "kind"):
        if hasattr(model, key):
            plain = {key: getattr(model, key), **plain}
    if fmt == "json":
        return json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    return dump_yaml(plain)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file renamed over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        Path(tmp).chmod(0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(
            f"could not write {path}: {exc.strerror}",
            f"không ghi được {path}: {exc.strerror}",
            location=Location(file=str(path)),
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
