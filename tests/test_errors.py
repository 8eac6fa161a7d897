from __future__ import annotations

import journeyscope
from journeyscope.errors import (
    DocumentError,
    InputError,
    JourneyScopeError,
    Location,
    MissingDependency,
    NotFound,
)


def test_error_renders_location_message_and_hint_in_both_languages() -> None:
    exc = DocumentError(
        "bad value",
        "giá trị sai",
        location=Location("m.yaml", 3, 7, "stages[0].id"),
        hint_en="fix it",
        hint_vi="sửa lại",
    )
    assert exc.render("en") == (
        "m.yaml:3:7: stages[0].id: error[invalid_document]: bad value\n  hint: fix it"
    )
    assert exc.render("vi") == (
        "m.yaml:3:7: stages[0].id: lỗi[invalid_document]: giá trị sai\n  gợi ý: sửa lại"
    )


def test_error_json_shape_is_stable() -> None:
    exc = NotFound("no such file", "không có tệp", location=Location(file="x.yaml"))
    assert exc.to_dict("en") == {
        "error": {
            "code": "not_found",
            "message": "no such file",
            "hint": None,
            "location": {"file": "x.yaml", "line": None, "column": None, "field": None},
            "docs": exc.to_dict("en")["error"]["docs"],  # type: ignore[index]
        }
    }
    assert str(exc.to_dict()["error"]["docs"]).endswith("#not_found")  # type: ignore[index]


def test_errors_are_also_builtins_with_http_status() -> None:
    assert issubclass(InputError, ValueError)
    assert issubclass(NotFound, FileNotFoundError)
    assert issubclass(MissingDependency, RuntimeError)
    assert NotFound.http_status == 404
    assert DocumentError.http_status == 400
    assert issubclass(DocumentError, JourneyScopeError)


def test_public_api_names_all_resolve() -> None:
    for name in journeyscope.__all__:
        assert getattr(journeyscope, name) is not None, name


def _error_classes() -> list[type[JourneyScopeError]]:
    """Every error class in src/ that sets its own ``code`` (found by reading the source, so
    a class added in any module is checked without being listed here)."""
    import ast
    import importlib
    from pathlib import Path

    src = Path(journeyscope.__file__).parent
    found: list[type[JourneyScopeError]] = []
    for file in sorted(src.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            sets_code = any(
                isinstance(item, ast.Assign | ast.AnnAssign)
                and any(
                    isinstance(t, ast.Name) and t.id == "code"
                    for t in (item.targets if isinstance(item, ast.Assign) else [item.target])
                )
                for item in node.body
            )
            if sets_code:
                parts = file.relative_to(src.parent).with_suffix("").parts
                module = importlib.import_module(".".join(p for p in parts if p != "__init__"))
                cls = getattr(module, node.name)
                if isinstance(cls, type) and issubclass(cls, JourneyScopeError):
                    found.append(cls)
    return found


def test_docs_list_every_error_code_with_its_exit_code() -> None:
    import re
    from pathlib import Path

    docs = Path(journeyscope.__file__).parents[2] / "docs" / "errors.md"
    table = dict(re.findall(r"^\| `([a-z_]+)` \| (\d+) \|", docs.read_text(encoding="utf-8"), re.M))
    classes = _error_classes()
    assert {c.code for c in classes} >= {"invalid_input", "output_failed", "workspace_busy"}
    for cls in classes:
        assert cls.code in table, f"{cls.__name__} ({cls.code}) is missing from docs/errors.md"
        assert int(table[cls.code]) == cls.exit_code, f"{cls.code}: docs say exit {table[cls.code]}"
