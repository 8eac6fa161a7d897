"""Every report through the API equals the CLI's ``--json`` for the same query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Result
from tests.server.conftest import Shop, bearer

API = "/api/v1/workspaces/shop"

# (route, query parameters, CLI arguments after the command's -w DIR)
SAME_QUERY: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "funnel",
        {"steps": "product_view,add_to_cart,purchase", "window": "7d", "exclude": ["login"]},
        [
            "funnel",
            "--steps",
            "product_view,add_to_cart,purchase",
            "--window",
            "7d",
            "--exclude",
            "login",
        ],
    ),
    (
        "funnel",
        {"steps": "product_view,purchase", "by": "channel", "where": "channel in (web, app, ads)"},
        [
            "funnel",
            "--steps",
            "product_view,purchase",
            "--by",
            "channel",
            "--where",
            "channel in (web, app, ads)",
        ],
    ),
    (
        "paths",
        {"from": "product_view", "depth": 3},
        ["paths", "--from", "product_view", "--depth", "3"],
    ),
    ("paths", {"since": "2024-03-02", "top": 5}, ["paths", "--since", "2024-03-02", "--top", "5"]),
    ("stages", {"stall": "10d"}, ["stages", "--stall", "10d"]),
    (
        "funnel",
        {"steps": "product_view,purchase", "per": "session", "session_gap": "1h"},
        ["funnel", "--steps", "product_view,purchase", "--per", "session", "--session-gap", "1h"],
    ),
    (
        "paths",
        {"per": "session", "merge_repeats": "false"},
        ["paths", "--per", "session", "--keep-repeats"],
    ),
    ("touchpoints", {"per": "session"}, ["touchpoints", "--per", "session"]),
    (
        "touchpoints",
        {"within": "3d", "min_customers": 2},
        ["touchpoints", "--within", "3d", "--min-customers", "2"],
    ),
    ("retention", {"period": "week"}, ["retention", "--period", "week"]),
    (
        "retention",
        {"model": "bgnbd", "horizon": "30d", "until": "2024-03-31"},
        ["retention", "--model", "bgnbd", "--horizon", "30d", "--to", "2024-03-31"],
    ),
    ("attribution", {"model": "last"}, ["attribution", "--model", "last"]),
    (
        "attribution",
        {"compare": "first,last,linear"},
        ["attribution", "--compare", "first,last,linear"],
    ),
    # --interval: the over-time shape, the same through both faces
    (
        "funnel",
        {"steps": "product_view,add_to_cart,purchase", "interval": "week"},
        ["funnel", "--steps", "product_view,add_to_cart,purchase", "--interval", "week"],
    ),
    ("paths", {"interval": "day", "top": 3}, ["paths", "--interval", "day", "--top", "3"]),
    ("stages", {"interval": "week"}, ["stages", "--interval", "week"]),
    ("touchpoints", {"interval": "week"}, ["touchpoints", "--interval", "week"]),
    ("retention", {"interval": "week"}, ["retention", "--interval", "week"]),
    (
        "attribution",
        {"model": "last", "interval": "month"},
        ["attribution", "--model", "last", "--interval", "month"],
    ),
    ("stats", {}, ["stats"]),
    ("customers/user_id:u1", {"limit": 3}, ["customers", "show", "user_id:u1", "--limit", "3"]),
    (
        "customers/email:lan@example.com/stages",
        {},
        ["stages", "--customer", "email:lan@example.com"],
    ),
]


@pytest.mark.parametrize(
    ("route", "params", "args"), SAME_QUERY, ids=[c[0] + str(i) for i, c in enumerate(SAME_QUERY)]
)
def test_the_api_answers_what_the_cli_prints(
    client: TestClient,
    shop: Shop,
    cli: Callable[..., Result],
    route: str,
    params: dict[str, Any],
    args: list[str],
) -> None:
    res = cli(*args, "-w", shop.root, "--json")
    assert res.code == 0, res.err
    answer = client.get(f"{API}/{route}", params=params, headers=bearer(shop.keys["read"]))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == res.json()
    assert answer.json()  # not an empty answer on both sides


def test_names_follow_lang_then_accept_language(
    client: TestClient, shop: Shop, cli: Callable[..., Result]
) -> None:
    vi = cli("stages", "-w", shop.root, "--json", "--lang", "vi").json()
    en = cli("stages", "-w", shop.root, "--json").json()
    assert vi != en  # the stage names differ, so the test can tell
    key = bearer(shop.keys["read"])
    assert client.get(f"{API}/stages", params={"lang": "vi"}, headers=key).json() == vi
    assert (
        client.get(f"{API}/stages", headers={**key, "Accept-Language": "vi-VN, en;q=0.5"}).json()
        == vi
    )
    assert (
        client.get(
            f"{API}/stages", headers={**key, "Accept-Language": "fr, en;q=0.8, vi;q=0.3"}
        ).json()
        == en
    )
    assert client.get(f"{API}/stages", headers=key).json() == en


def test_an_unknown_or_server_file_parameter_is_refused(client: TestClient, shop: Shop) -> None:
    key = bearer(shop.keys["read"])
    for params in (
        {"stall": "10d", "stal": "3d"},
        {"rules": "/etc/passwd"},
        {"output": "x.csv"},
        {"dataset": "/tmp"},
    ):
        answer = client.get(f"{API}/stages", params=params, headers=key)
        assert answer.status_code == 422, params
        error = answer.json()["error"]
        assert error["code"] == "invalid_request"
        assert next(iter(set(params) - {"stall"})) in error["message"]


def test_a_report_error_has_the_cli_shape_and_status(
    client: TestClient, shop: Shop, cli: Callable[..., Result]
) -> None:
    res = cli("funnel", "-w", shop.root, "--steps", "product_view,nosuch", "--json")
    assert res.code != 0
    answer = client.get(
        f"{API}/funnel", params={"steps": "product_view,nosuch"}, headers=bearer(shop.keys["read"])
    )
    assert 400 <= answer.status_code < 500
    cli_error, api_error = res.json()["error"], answer.json()["error"]
    assert cli_error["location"]["field"] == "--steps"  # the API names its parameter
    assert api_error["location"]["field"] == "steps"
    assert api_error == {**cli_error, "location": {**cli_error["location"], "field": "steps"}}
    vi = client.get(
        f"{API}/funnel", params={"steps": "nosuch", "lang": "vi"}, headers=bearer(shop.keys["read"])
    )
    assert vi.json()["error"]["message"] != answer.json()["error"]["message"]


def test_an_api_error_names_the_query_parameter_not_the_option(
    client: TestClient, shop: Shop, cli: Callable[..., Result]
) -> None:
    """The same check answers both; the API user is told about ``repeat_within``, the
    CLI user about ``--repeat-within``."""
    res = cli("touchpoints", "-w", shop.root, "--repeat-within", "5x", "--json")
    assert "--repeat-within" in res.json()["error"]["message"]
    for lang in ("en", "vi"):
        answer = client.get(
            f"{API}/touchpoints",
            params={"repeat_within": "5x", "lang": lang},
            headers=bearer(shop.keys["read"]),
        )
        error = answer.json()["error"]
        assert answer.status_code == 400 and error["location"]["field"] == "repeat_within"
        assert "repeat_within" in error["message"] and "--" not in error["message"]
    top = client.get(f"{API}/paths", params={"top": -1}, headers=bearer(shop.keys["read"]))
    assert top.json()["error"]["hint"] == "e.g. top 10"
    # a route whose options and parameters differ: insights' --since is changes_since
    insights = client.get(
        f"{API}/insights", params={"changes_since": "bad"}, headers=bearer(shop.keys["read"])
    ).json()["error"]
    assert insights["location"]["field"] == "changes_since", insights
    assert "changes_since" in insights["message"]
    # the web app asks for the options, which it puts in its fields' words
    web = client.get(
        f"{API}/touchpoints",
        params={"repeat_within": "5x"},
        headers={**bearer(shop.keys["read"]), "X-JourneyScope-Names": "options"},
    ).json()["error"]
    assert web["location"]["field"] == "--repeat-within"


def test_an_unknown_option_value_is_a_400_not_a_404(client: TestClient, shop: Shop) -> None:
    """Nothing is missing on the server: the request is wrong (a 404 would read as "no such
    report" to an API client)."""
    read = bearer(shop.keys["read"])
    for path, params, code in (
        ("funnel", {"steps": "product_view,purchase", "mode": "fastest"}, "unknown_funnel_mode"),
        ("retention", {"period": "fortnight"}, "unknown_period"),
        ("paths", {"level": "galaxy"}, "unknown_path_level"),
    ):
        answer = client.get(f"{API}/{path}", params=params, headers=read)
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json()["error"]["code"] == code


def test_an_unknown_customer_is_a_404(client: TestClient, shop: Shop) -> None:
    answer = client.get(f"{API}/customers/user_id:nobody", headers=bearer(shop.keys["read"]))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_identity_explain_and_maps(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result]
) -> None:
    client, shop = fresh_client, fresh_shop
    key = bearer(shop.keys["read"])
    explained = client.get(
        f"{API}/identity/explain", params={"identifier": "email:lan@example.com"}, headers=key
    )
    assert explained.status_code == 200
    assert (
        explained.json()
        == cli("identity", "explain", "email:lan@example.com", "-w", shop.root, "--json").json()
    )
    assert client.get(f"{API}/maps", headers=key).json() == {"maps": []}
    assert (
        cli(
            "map", "new", "--template", "retail-current-state", "-o", shop.root / "maps" / "m.yaml"
        ).code
        == 0
    )
    assert client.get(f"{API}/maps", headers=key).json() == {"maps": ["m"]}
    got = client.get(f"{API}/maps/m", headers=key).json()
    assert got["ok"] is True and got["map"]["stages"]
    for bad in ("..%2Fworkspace", "nosuch"):
        answer = client.get(f"{API}/maps/{bad}", headers=key)
        assert answer.status_code in (400, 404), bad
        assert "error" in answer.json()


def test_what_the_cli_says_beside_the_numbers_comes_as_notes(
    client: TestClient, shop: Shop, cli: Callable[..., Result]
) -> None:
    """The warnings the CLI writes to stderr (here: a step nobody reached, and an
    exclusion that is also a step) come with the answer as ``notes``, in the asked
    language, on both faces; a report with nothing to say has no ``notes``."""
    args = ["--steps", "product_view,purchase", "--exclude", "purchase"]
    res = cli("funnel", "-w", shop.root, *args, "--json", "--lang", "vi")
    assert res.code == 0, res.err
    params = {"steps": "product_view,purchase", "exclude": ["purchase"], "lang": "vi"}
    answer = client.get(f"{API}/funnel", params=params, headers=bearer(shop.keys["read"])).json()
    assert answer == res.json()
    notes = answer["notes"]
    assert [n["code"] for n in notes] == ["step_empty", "exclusion_is_step"]
    assert all(n["message"].startswith("cảnh báo") and n["message"] in res.err for n in notes)
    plain = client.get(
        f"{API}/funnel",
        params={"steps": "product_view,purchase"},
        headers=bearer(shop.keys["read"]),
    ).json()
    assert "notes" not in plain


def test_the_api_document_lists_notes_on_every_report(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    reports = [name for name in schemas if name.endswith("Report")]
    assert "FunnelReport" in reports and "RetentionReport" in reports
    for name in reports:
        notes = schemas[name]["properties"]["notes"]
        assert notes["items"]["required"] == ["code", "message"], name
