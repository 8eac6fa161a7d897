"""Fuzz every operation of our OpenAPI document with schemathesis: no 5xx, ever, and every
error in the one error shape (docs/server.md, "Errors").

Schemathesis reads ``/openapi.json`` of the app and generates requests for each operation —
valid ones and, as negative cases, ones that break the schema — which are sent in-process
(the app under Starlette's test client, its lifespan run once for the module) to a private
copy of the test shop that holds real events, customers, a map, a job and spare keys, so
destructive operations (forget, key revoke, map delete) break no other test. Each operation
runs with an admin key (a write key on collection: the deepest paths), then with a read
key, a write key and no key, on this workspace and on the other one (the auth paths).

The run is reproducible (``derandomize``) and short (:data:`EXAMPLES` per operation and key).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from journeyscope.events.keys import create_key
from journeyscope.events.workspace import Workspace
from journeyscope.server.app import Limits, create_app
from tests.server.conftest import Shop, add_key

#: Examples per operation with an admin key: enough to reach the branches of a route's
#: parameters without making CI wait; ``JOURNEYSCOPE_FUZZ_EXAMPLES=200`` fuzzes deeper.
EXAMPLES = int(os.environ.get("JOURNEYSCOPE_FUZZ_EXAMPLES", "10"))
#: With a read key, a write key or none, most requests stop at authentication.
AUTH_EXAMPLES = max(3, EXAMPLES // 4)

#: The document does not depend on the folders served, so it is read once at import.
SCHEMA = schemathesis.openapi.from_dict(create_app({"shop": Path("unused")}).openapi())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class Fuzzed:
    """The app under test, its keys by role (``None``: no key) and real path values."""

    client: TestClient
    root: Path
    keys: dict[str, str | None]
    real: dict[str, list[str]]


MAP_TEMPLATE = (
    resources.files("journeyscope.maps") / "templates" / "retail-current-state.yaml"
).read_text("utf-8")


def add_map(root: Path) -> None:
    """A valid map in the workspace, so the map routes have one to read, render, delete."""
    maps = root / "maps"
    maps.mkdir(exist_ok=True)
    if not (maps / "retail.yaml").exists():
        (maps / "retail.yaml").write_text(MAP_TEMPLATE, "utf-8")


def spare_key(root: Path) -> str:
    """A key id for ``DELETE /keys/{id}`` to revoke: not one the fuzzing authenticates with."""
    with Workspace.open(root) as ws:
        return create_key(ws, "read", "to revoke")[0].key_id


def listed(client: TestClient, what: str, headers: dict[str, str]) -> list[str]:
    """The first few ids of a library route (personas, stage models)."""
    answer = client.get(f"/api/v1/workspaces/shop/{what}", headers=headers)
    assert answer.status_code == 200, answer.text
    return [str(item["id"]) for item in answer.json()][:3]


@pytest.fixture(scope="module")
def fuzzed(shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    base = tmp_path_factory.mktemp("fuzz")
    root = Path(shutil.copytree(shop.root, base / "shop"))
    other = Path(shutil.copytree(shop.other, base / "other"))
    add_map(root)
    keys: dict[str, str | None] = {role: add_key(root, role) for role in ("admin", "read", "write")}
    keys["none"] = None
    spare = [spare_key(root) for _ in range(3)]
    app = create_app({"shop": root, "other": other}, limits=Limits(0, 0), live_identity=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        started = client.post(
            "/api/v1/workspaces/shop/exports", json={"format": "csv"}, headers=admin
        )
        assert started.status_code == 202, started.text
        real = {
            "name": ["shop"],
            "ref": ["user_id:u1", "email:lan@example.com", "user_id:u5"],
            "map_name": ["retail"],
            "persona_id": listed(client, "personas", admin),
            "model_id": listed(client, "stage-models", admin),
            "job_id": [started.json()["job"]],
            "key_id": spare,
            "write_key": [str(keys["write"])],
        }
        yield Fuzzed(client, root, keys, real)


def send(client: TestClient, case: Case[Any], key: str | None) -> Any:
    """The case, sent by the test client byte for byte as schemathesis (through requests)
    would send it: requests prepares the URL, headers and body (multipart included)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    prepared = requests.Request(**kwargs).prepare()
    body = prepared.body
    assert body is None or isinstance(body, bytes | str)  # requests' prepared bodies
    response = client.request(
        str(prepared.method),
        str(prepared.url),
        content=body,
        headers={k: v if isinstance(v, str) else v.decode() for k, v in prepared.headers.items()},
    )
    return response, kwargs


def one_error_shape(response: Any) -> None:
    """Every error is ``{"error": {"code", "message", ...}}`` (JourneyScopeError.to_dict)."""
    if response.status_code < 400:
        return
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"], body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body


def test_the_document_declares_what_the_routes_send() -> None:
    """What the first fuzzing run found undeclared: Prometheus text on /metrics, the
    collection routes' bodies and refusals, the settings route's 401/403, /readyz's 503."""
    paths = SCHEMA.raw_schema["paths"]
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]
    assert "503" in paths["/readyz"]["get"]["responses"]
    for kind in ("track", "identify", "page", "screen", "alias", "group", "batch"):
        operation = paths[f"/v1/{kind}"]["post"]
        assert {"200", "400", "401", "403", "408", "413", "429", "503"} <= set(
            operation["responses"]
        )
        assert "application/json" in operation["requestBody"]["content"]
    settings_answers = paths["/v1/projects/{write_key}/settings"]["get"]["responses"]
    assert {"401", "403"} <= set(settings_answers)


def key_for(fuzzed: Fuzzed, case: Case[Any], role: str) -> str | None:
    """The deepest key for the operation: the write key on collection, else ``role``'s."""
    if role == "admin" and case.operation.path.startswith("/v1/"):
        return fuzzed.keys["write"]
    return fuzzed.keys[role]


#: Values the shop holds, for query parameters and body fields that name them.
IDENTIFIERS = ["user_id:u6", "email:lan@example.com", "user_id:u3"]
#: Query values of the right form (dates, durations, filters, model names), including
#: edge cases — reversed or far dates, zero windows, same step twice — so reports are
#: fuzzed in their computation, not only in their parameter parsing.
REAL_QUERY: dict[str, list[str]] = {
    "steps": ["page_view,product_view,purchase", "product_view,add_to_cart", "purchase"],
    "identifier": IDENTIFIERS,
    "since": ["2024-03-01", "2024-03-05", "1900-01-01", "2999-12-31", "2024-03-02T10:00:00Z"],
    "until": ["2024-03-03", "2024-03-01", "1970-01-01", "2999-12-31"],
    "where": ["channel in (web, app)", "revenue > 100", "channel = 'web'", "event = purchase"],
    "window": ["7d", "0d", "1s", "9999w"],
    "mode": ["ordered", "unordered", "strict"],
    "exclude": ["login", "purchase"],
    "by": ["channel", "event", "revenue"],
    "time_between": ["1,3", "3,1", "2,2", "1,9"],
    "level": ["event", "channel", "customer"],
    "from": ["purchase", "page_view"],
    "to": ["purchase", "login"],
    "session_gap": ["0m", "30m", "1d"],
    "model": ["retail5"],
    "stall": ["0d", "30d"],
    "conversion": ["purchase", "add_to_cart", "login"],
    "within": ["0d", "7d"],
    "repeat_within": ["0d", "7d"],
    "period": ["day", "week", "month"],
    "cohort_event": ["page_view", "purchase"],
    "return_event": ["purchase", "login"],
    "purchase": ["purchase", "login"],
    "horizon": ["0d", "90d", "99999d"],
    "compare": ["first,last,markov", "markov,markov"],
    "lookback": ["0d", "30d"],
    "value": ["revenue", "count"],
    "repeats": ["keep", "first"],
    "half_life": ["0d", "7d"],
    "position": ["40,40", "0,0", "30,70", "60,60"],
}
#: What differs by report (the last segment of the route).
ROUTE_QUERY: dict[str, dict[str, list[str]]] = {
    "attribution": {
        "model": ["markov", "first", "last", "linear", "time_decay", "position"],
        "level": ["channel", "touchpoint"],
    },
    "retention": {"model": ["heuristic", "bgnbd"]},
    "touchpoints": {"model": ["retail5"]},
}


def maybe(data: st.DataObject, label: str) -> bool:
    """True for about two examples in three: mostly real values, some generated ones."""
    return data.draw(st.sampled_from((True, False, True)), label=label)


def real_values(fuzzed: Fuzzed, case: Case[Any], data: st.DataObject) -> None:
    """The served workspace's name always, and for most examples an id, event
    or identifier that exists (a customer, map, persona, job, key; a real funnel step), so a
    route is fuzzed past its 404 or "unknown step" into the work it does."""
    for parameter, values in fuzzed.real.items():
        present = bool(case.path_parameters) and parameter in case.path_parameters
        if present and (parameter == "name" or maybe(data, parameter)):
            case.path_parameters[parameter] = data.draw(st.sampled_from(values))
    declared = {p.name for p in case.operation.query}
    report = case.operation.path.rsplit("/", 1)[-1]
    for parameter, values in {**REAL_QUERY, **ROUTE_QUERY.get(report, {})}.items():
        if parameter in declared and isinstance(case.query, dict) and maybe(data, parameter):
            case.query[parameter] = data.draw(st.sampled_from(values))
    if isinstance(case.body, dict) and "identifier" in case.body and maybe(data, "identifier"):
        case.body["identifier"] = data.draw(st.sampled_from(IDENTIFIERS))
    is_map = case.operation.path.endswith(("/maps/{map_name}", "/maps/validate"))
    if case.method in ("PUT", "POST") and is_map and maybe(data, "valid map"):
        case.body, case.media_type = yaml.safe_load(MAP_TEMPLATE), "application/json"


def check(fuzzed: Fuzzed, case: Case[Any], data: st.DataObject, role: str) -> None:
    add_map(fuzzed.root)  # back, if an earlier example deleted it
    real_values(fuzzed, case, data)
    if role != "admin" and case.path_parameters and "name" in case.path_parameters:
        # a key of shop on the other workspace is unknown there: 401, never its data
        case.path_parameters["name"] = data.draw(st.sampled_from(["shop", "other"]))
    response, kwargs = send(fuzzed.client, case, key_for(fuzzed, case, role))
    one_error_shape(response)
    case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: CI is reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
)


@SCHEMA.parametrize()
@SCHEMA.given(data=st.data())
@FUZZ
def test_with_an_admin_key(case: Case[Any], data: st.DataObject, fuzzed: Fuzzed) -> None:
    """Every route as far as an admin key (a write key on collection) gets."""
    check(fuzzed, case, data, "admin")


@pytest.mark.parametrize("role", ["read", "write", "none"])
@SCHEMA.parametrize()
@SCHEMA.given(data=st.data())
@settings(FUZZ, max_examples=AUTH_EXAMPLES)
def test_with_other_keys(case: Case[Any], data: st.DataObject, fuzzed: Fuzzed, role: str) -> None:
    """The auth paths: a read key (403 on admin routes), a write key (403 off collection),
    no key (401) — each still in the one error shape and never a 5xx."""
    check(fuzzed, case, data, role)
