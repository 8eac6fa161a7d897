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
