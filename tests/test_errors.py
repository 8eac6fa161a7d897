from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import journeyscope
from journeyscope.errors import (
    DocumentError,
    InputError,
    JourneyScopeError,
    Location,
    MissingDependency,
    NotFound,
)
from tests.conftest import Result


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


def _classes_by_name() -> dict[str, type[JourneyScopeError]]:
    """Error classes and the helpers that build one, by the name a call site uses."""
    from journeyscope import errors

    found: dict[str, type[JourneyScopeError]] = {
        name: obj
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, JourneyScopeError)
    }
    found.update({c.__name__: c for c in _error_classes()})
    found["unknown_name"] = NotFound
    return found


def _call_site_codes() -> list[tuple[str, str, type[JourneyScopeError] | None]]:
    """Every ``code="..."`` given to an error (or a helper building one) in src/, and every
    ``code`` parameter's default, as (code, file:line, class when the call names one)."""
    import ast
    from pathlib import Path

    src = Path(journeyscope.__file__).parent
    classes = _classes_by_name()
    found: list[tuple[str, str, type[JourneyScopeError] | None]] = []
    for file in sorted(src.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            cls: type[JourneyScopeError] | None = None
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "code"]
                if isinstance(node.func, ast.Name):
                    cls = classes.get(node.func.id)
            elif isinstance(node, ast.FunctionDef):
                args = node.args.args + node.args.kwonlyargs
                defaults: list[ast.expr | None] = [None] * (
                    len(node.args.args) - len(node.args.defaults)
                )
                defaults += [*node.args.defaults, *node.args.kw_defaults]
                values = [
                    d
                    for a, d in zip(args, defaults, strict=True)
                    if a.arg == "code" and d is not None
                ]
            for value in values:
                if isinstance(value, ast.JoinedStr):  # f"unknown_{kind}": checked by its kinds
                    continue
                for leaf in ast.walk(value):
                    if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
                        where = f"{file.relative_to(src)}:{leaf.lineno}"
                        found.append((leaf.value, where, cls))
    return found


def _docs_table() -> dict[str, tuple[int, str]]:
    """docs/errors.md's rows: code -> (exit code, HTTP status as written)."""
    import re
    from pathlib import Path

    docs = Path(journeyscope.__file__).parents[2] / "docs" / "errors.md"
    rows = re.findall(
        r"^\| `([a-z_]+)` \| (\d+) \| (\S+) \|", docs.read_text(encoding="utf-8"), re.M
    )
    return {code: (int(exit_code), http) for code, exit_code, http in rows}


def test_docs_list_every_code_given_at_a_call_site() -> None:
    """A finer code passed as ``code="..."`` is part of the API too: documented, snake_case,
    and with the exit code and HTTP status of the class that carries it."""
    import re

    from journeyscope.analytics.vocabulary import _KINDS

    table = _docs_table()
    sites = _call_site_codes()
    codes = {code for code, _, _ in sites}
    # the scan must see the codes this project is known to give (so it cannot pass empty)
    assert {"invalid_duration", "file_exists", "unknown_template", "invalid_request"} <= codes
    for code, where, cls in sites:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code), f"{where}: {code!r} is not snake_case"
        assert code in table, f"{where}: code {code!r} is missing from docs/errors.md"
        if cls is not None and cls is not JourneyScopeError:  # the server sets its own status
            assert table[code] == (cls.exit_code, str(cls.http_status)), (where, code)
    for kind in _KINDS:  # vocabulary builds f"unknown_{kind}"
        assert f"unknown_{kind}" in table, f"unknown_{kind} is missing from docs/errors.md"
    for cls in _error_classes():
        assert table[cls.code] == (cls.exit_code, str(cls.http_status)), cls.__name__


def test_one_cause_has_one_code_class() -> None:
    """The same code never comes with two different exit codes (an API client could not
    rely on it): every class giving a code agrees on exit code and HTTP status."""
    seen: dict[str, tuple[int, int]] = {}
    for code, where, cls in _call_site_codes():
        if cls is None or cls is JourneyScopeError:
            continue
        pair = (cls.exit_code, cls.http_status)
        assert seen.setdefault(code, pair) == pair, f"{where}: {code} also used with {seen[code]}"


def test_bad_inputs_through_the_cli_give_their_specific_codes(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """What an API client sees: each kind of mistake has its own code, in `--json` output
    and in the rendered `error[...]` line, with the exit code of its class."""
    ws = tmp_path / "ws"
    assert cli("init", "-w", ws).code == 0
    funnel = ("funnel", "-w", ws, "--steps", "view,buy", "--json")
    cases = {
        "invalid_duration": ("--window", "7x"),
        "invalid_date": ("--from", "2026-13-45"),
        "invalid_filter": ("--where", "channel in (web"),
    }
    for code, extra in cases.items():
        res = cli(*funnel, *extra)
        assert res.code == 2, (extra, res.out, res.err)
        error = res.json()["error"]
        assert error["code"] == code, extra
        assert error["docs"].endswith(f"#{code}")
        assert "Traceback" not in res.err

    unknown = cli("map", "new", "--template", "nosuch", "-o", tmp_path / "m.yaml")
    assert unknown.code == 2 and "error[unknown_template]" in unknown.err
    assert not (tmp_path / "m.yaml").exists()

    made = tmp_path / "made.yaml"
    assert cli("map", "new", "--template", "b2b-five-phase", "-o", made).code == 0
    out = tmp_path / "m.svg"
    out.write_text("mine", encoding="utf-8")
    res = cli("map", "render", made, "-o", out)
    assert res.code == 2 and f"{out}: error[file_exists]" in res.err
    assert out.read_text(encoding="utf-8") == "mine"  # nothing replaced without --force
