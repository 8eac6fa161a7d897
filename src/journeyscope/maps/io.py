"""Reading and writing documents as YAML or JSON, keeping where every value came from.

Documents are parsed with PyYAML's composer so each value's line and column are known;
validation problems then point at ``FILE:LINE:COL`` like a compiler's.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from journeyscope.errors import (
    DocumentError,
    InputError,
    Location,
    OutputError,
    missing_file,
    output_failure,
)

PathKey = tuple[str | int, ...]
Positions = dict[PathKey, tuple[int, int]]


#: The largest document file read (maps, personas, mappings, stage rules): far above any real
#: one, small enough that parsing it stays a matter of seconds.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: Values a document may hold once its aliases (``*name``) are expanded, and the characters
#: of text they add up to: an alias bomb (a billion laughs) is refused before any expansion.
MAX_DOCUMENT_NODES = 200_000
MAX_DOCUMENT_CHARS = 10_000_000
#: Open brackets (``[`` / ``{``) in a row: PyYAML's scanner slows down with the square of
#: this depth, and a real document needs a handful.
MAX_NESTING = 100
_BRACKETS = re.compile(r"[\[\]{}]")
# libyaml's parser when PyYAML was built with it: the same nodes, marks and errors (in its
# own words), read ~8x faster, which is most of `journeyscope map validate`'s time
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES and path.is_file():
            raise _too_big(str(path), size, MAX_DOCUMENT_BYTES)
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
            code="invalid_encoding",
        ) from None
    except OSError as exc:  # a folder, a file we may not read
        reason = exc.strerror or str(exc)
        raise InputError(
            f"cannot read {path}: {reason}",
            f"không đọc được {path}: {reason}",
            location=Location(file=str(path)),
            hint_en="give the path of a file you can read",
            hint_vi="hãy đưa đường dẫn của một tệp đọc được",
            code="invalid_file",
        ) from None


def parse(text: str, source: str, *, unique_keys: bool = True) -> tuple[Any, Positions]:
    """Parse YAML (or JSON, which YAML reads too) into data plus a position index.

    The work is bounded whatever the text: an over-long text, aliases that would expand
    past :data:`MAX_DOCUMENT_NODES` values or :data:`MAX_DOCUMENT_CHARS` characters, an
    alias that contains itself and nesting deeper than Python's stack are refused with a
    located error before anything is expanded. ``unique_keys``: a key written twice in one
    mapping is refused (documents); settings files keep YAML's last-wins, since users append
    a line to override one (``echo "engine: spark" >> workspace.yaml``).
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise _too_big(source, len(text.encode("utf-8")), MAX_DOCUMENT_BYTES)
    # one spelling of Vietnamese (an input method or macOS may write it decomposed), so two
    # copies of one map are equal, diff shows no false changes, and search finds the words
    text = unicodedata.normalize("NFC", text)
    try:
        _check_nesting(text)
        if source.endswith(".json"):
            _check_json(text, source)
        node, data = _compose_and_construct(text, source, unique_keys)
    except RecursionError:
        raise DocumentError(
            "the document is nested too deeply to read",
            "tài liệu lồng nhau quá sâu, không đọc được",
            location=Location(file=source),
            hint_en="flatten the structure; a journey map needs only a few levels",
            hint_vi="hãy làm phẳng cấu trúc; một bản đồ hành trình chỉ cần vài cấp",
            code="document_too_large",
        ) from None
    positions: Positions = {}
    if node is not None:
        positions = dict(_walk(node, ()))
    _check_characters(data, (), positions, source)
    return data, positions


#: Characters no SVG/XML or spreadsheet can hold (a JSON "\u0001" decodes to one): tab, line
#: feed and carriage return are text, the other C0 controls and U+FFFE/U+FFFF are not.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _check_characters(data: Any, path: PathKey, positions: Positions, source: str) -> None:
    """Refuse text with a control character, at its field (the SVG would not open)."""
    if isinstance(data, str):
        found = _CONTROL.search(data)
        if found:
            where, at = position_of(positions, path)
            field = ".".join(str(p) for p in where) or None
            code = f"U+{ord(found.group()):04X}"
            raise DocumentError(
                f"the text holds the control character {code}, which no SVG or spreadsheet "
                "can hold",
                f"văn bản chứa ký tự điều khiển {code}, SVG và bảng tính không chứa được",
                location=Location(
                    file=source,
                    line=at[0] if at else None,
                    column=at[1] if at else None,
                    field=field,
                ),
                hint_en="delete it (often pasted in from another program)",
                hint_vi="hãy xoá nó (thường bị dán vào từ chương trình khác)",
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            _check_characters(value, (*path, key), positions, source)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _check_characters(value, (*path, index), positions, source)


def _check_nesting(text: str) -> None:
    """Raise :class:`RecursionError` when brackets open deeper than :data:`MAX_NESTING`.

    Brackets inside quoted text count too: an over-estimate that only a document with a
    hundred unclosed brackets in a row could feel.
    """
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_NESTING:
            raise RecursionError(MAX_NESTING)


def _check_json(text: str, source: str) -> None:
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


def _compose_and_construct(
    text: str, source: str, unique_keys: bool = True
) -> tuple[yaml.Node | None, Any]:
    """One pass of PyYAML: the node tree (for positions), weighed, then the data."""
    try:
        loader = _SAFE_LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, None
            _weigh(node, source, unique_keys)
            return node, loader.construct_document(node)
        finally:
            loader.dispose()
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
        raise DocumentError(
            f"malformed YAML: {exc}", f"YAML sai cú pháp: {exc}", location=Location(file=source)
        ) from None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _unique_keys(node: yaml.MappingNode, source: str) -> None:
    """A key written twice in one mapping is refused: YAML would keep the last silently."""
    seen: set[str] = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue  # ``<<:`` merge keys may repeat
        if key.value in seen:
            raise DocumentError(
                f"the field {key.value!r} is written twice here; only one would be kept",
                f"trường {key.value!r} được viết hai lần ở đây; chỉ một giá trị được giữ",
                location=_at(source, key),
                hint_en="delete one of the two (or rename it)",
                hint_vi="hãy xoá một trong hai (hoặc đổi tên)",
            )
        seen.add(key.value)


def _weigh(root: yaml.Node, source: str, unique_keys: bool = True) -> None:
    """Count values and characters as if every alias were expanded, without expanding.

    Aliases point at shared nodes, so each node is weighed once (memoised by identity)
    and the walk is linear in the text; a node met again while still open is an alias
    inside itself. Iterative, so a deep document cannot exhaust the stack here.
    """
    done: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        if closing:
            open_nodes.discard(key)
            nodes, chars = 1, 0
            for child in _children(node):
                child_nodes, child_chars = done[id(child)]
                nodes, chars = nodes + child_nodes, chars + child_chars
            if nodes > MAX_DOCUMENT_NODES or chars > MAX_DOCUMENT_CHARS:
                raise _too_expanded(source, node)
            done[key] = (nodes, chars)
        elif key in open_nodes:
            raise _alias_loop(source, node)
        elif key not in done:
            if isinstance(node, yaml.ScalarNode):
                done[key] = (1, len(node.value))
                continue
            if unique_keys and isinstance(node, yaml.MappingNode):
                _unique_keys(node, source)
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in done)


def _at(source: str, node: yaml.Node) -> Location:
    return Location(file=source, line=node.start_mark.line + 1, column=node.start_mark.column + 1)


def _too_big(source: str, size: int, limit: int) -> DocumentError:
    return DocumentError(
        f"the document is {size:,} bytes, more than the {limit:,} a document may have",
        f"tài liệu có {size:,} byte, vượt quá giới hạn {limit:,} byte của một tài liệu",
        location=Location(file=source),
        hint_en="split it into several documents (one map per file)",
        hint_vi="hãy tách thành nhiều tài liệu (mỗi tệp một bản đồ)",
        code="document_too_large",
    )


def _too_expanded(source: str, node: yaml.Node) -> DocumentError:
    return DocumentError(
        f"the aliases (*name) here expand to more than {MAX_DOCUMENT_NODES:,} values or "
        f"{MAX_DOCUMENT_CHARS:,} characters; the document is refused unread",
        f"các bí danh (*tên) ở đây mở rộng thành hơn {MAX_DOCUMENT_NODES:,} giá trị hoặc "
        f"{MAX_DOCUMENT_CHARS:,} ký tự; tài liệu bị từ chối",
        location=_at(source, node),
        hint_en="write the values out instead of repeating aliases, or split the document",
        hint_vi="hãy viết rõ các giá trị thay vì lặp bí danh, hoặc tách tài liệu",
        code="document_too_large",
    )


def _alias_loop(source: str, node: yaml.Node) -> DocumentError:
    return DocumentError(
        "an alias (*name) refers to a value that contains it, which never ends",
        "một bí danh (*tên) trỏ tới giá trị chứa chính nó, lặp vô tận",
        location=_at(source, node),
        hint_en="remove the alias from inside its own anchor (&name)",
        hint_vi="hãy bỏ bí danh nằm bên trong chính neo (&tên) của nó",
    )


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


def load_data(path: Path, *, unique_keys: bool = True) -> tuple[Any, Positions]:
    return parse(read_text(path), str(path), unique_keys=unique_keys)


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


def doc_format(path: Path) -> str:
    """The format a document is written in, from its name: ``.json`` (any case), else YAML."""
    return "json" if path.suffix.lower() == ".json" else "yaml"


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
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    try:  # a file where the folder should be, a read-only place
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise output_failure(path, exc) from None
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
