"""``GET /feedback/summary`` answers what `journeyscope feedback summary --json` does."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from journeyscope.events.workspace import Workspace
from journeyscope.feedback.importing import import_feedback
from journeyscope.feedback.summary import feedback_summary
from tests.server.conftest import Shop, bearer

FIXTURES = Path(__file__).parents[1] / "feedback" / "fixtures"
URL = "/api/v1/workspaces/shop/feedback/summary"


def test_the_route_returns_the_library_report(fresh_shop: Shop, fresh_client: TestClient) -> None:
    with Workspace.open(fresh_shop.root) as ws:
        import_feedback(ws, FIXTURES / "survey.csv")
        import_feedback(ws, FIXTURES / "shopee_reviews.csv")
        expected = feedback_summary(ws, "channel", "2026-05-01", "2026-05-31").to_dict()
    response = fresh_client.get(
        URL,
        params={"by": "channel", "since": "2026-05-01", "until": "2026-05-31"},
        headers=bearer(fresh_shop.keys["read"]),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == expected
    assert body["total"]["nps"]["n"] == 5 and body["total"]["stars"]["n"] == 3


def test_bad_parameters_get_the_error_shape(fresh_shop: Shop, fresh_client: TestClient) -> None:
    key = bearer(fresh_shop.keys["read"])
    wrong_by = fresh_client.get(URL, params={"by": "colour"}, headers=key)
    assert wrong_by.status_code in (400, 422)
    bad_day = fresh_client.get(URL, params={"since": "hôm qua"}, headers=key)
    assert bad_day.status_code == 400
    assert bad_day.json()["error"]["code"] == "invalid_date"
    assert fresh_client.get(URL).status_code == 401
