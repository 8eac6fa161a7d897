"""The maps routes the web editor uses: create from a template or a stage model, the
gallery's details, versions with their author, ``map diff`` between two versions, the
unsaved preview, PNG/PDF where the server has Chromium, and Excel import — each equal to
what the CLI does with the same files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from journeyscope.render.browser import find_chromium
from tests.conftest import Result
from tests.server.conftest import Shop, bearer

API = "/api/v1/workspaces/shop/maps"


def test_create_edit_versions_and_diff(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    client, admin = fresh_client, bearer(fresh_shop.keys["admin"])
    read = bearer(fresh_shop.keys["read"])
    body = {"template": "retail-current-state", "lang": "vi"}
    made = client.post(f"{API}/summer/new", json=body, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["version"]["number"] == 1
    assert made.json()["version"]["author"] == "test admin"
    expected = tmp_path / "cli.yaml"
    cli("map", "new", "--template", "retail-current-state", "--lang", "vi", "-o", expected)
    saved = fresh_shop.root / "maps" / "summer.yaml"
    assert saved.read_text("utf-8") == expected.read_text("utf-8")
    again = client.post(f"{API}/summer/new", json=body, headers=admin)
    assert again.status_code == 412
    assert client.post(f"{API}/templates/new", json=body, headers=admin).status_code == 400
    assert client.post(f"{API}/x/new", json=body, headers=read).status_code == 403

    got = client.get(f"{API}/summer", headers=read)
    etag, document = got.json()["etag"], got.json()["document"]
    assert got.headers["ETag"] == etag == made.json()["etag"]
    document["title"] = "Mùa hè <script>"
    document["stages"][0]["description"] = None  # null fields are left out of the YAML
    put = client.put(f"{API}/summer", json=document, headers={**admin, "If-Match": etag})
    assert put.status_code == 200, put.text
    assert put.json()["version"]["number"] == 2
    text = saved.read_text("utf-8")
    assert (
        text.startswith("kind: journey_map\n")
        and "description: null" not in text
        and "Mùa hè <script>" in text
    )
    stale = client.put(f"{API}/summer", json=document, headers={**admin, "If-Match": etag})
    assert stale.status_code == 412

    versions = client.get(f"{API}/summer/versions", headers=read).json()["versions"]
    assert [(v["number"], v["author"]) for v in versions] == [(1, "test admin"), (2, "test admin")]
    one = client.get(f"{API}/summer/versions/1", headers=read).json()
    assert one["text"] == expected.read_text("utf-8") and one["valid"] is True
    assert client.get(f"{API}/summer/versions/9", headers=read).status_code == 404
    diff = client.get(f"{API}/summer/diff", params={"old": 1, "new": 2}, headers=read).json()
    second = tmp_path / "second.yaml"
    second.write_text(text, "utf-8")
    assert diff["changes"] == cli("map", "diff", expected, second, "--json").json()["changes"]
    assert diff["count"] == 1 and diff["changes"][0]["path"] == "title"

    listed = client.get(f"{API}", params={"details": "true"}, headers=read).json()
    assert listed["maps"] == ["summer"]
    (detail,) = listed["details"]
    assert detail["title"] == "Mùa hè <script>" and detail["saved_by"] == "test admin"
    assert detail["type"] == "current_state" and detail["versions"] == 2
    assert [p["id"] for p in detail["personas"]] == one["map"]["personas"]
    templates = client.get(f"{API}/templates", headers=read).json()
    assert templates == cli("map", "templates", "--json").json()


def test_blank_map_from_a_stage_model(fresh_client: TestClient, fresh_shop: Shop) -> None:
    admin = bearer(fresh_shop.keys["admin"])
    body = {"stage_model": "aida", "type": "future_state", "lang": "en"}
    made = fresh_client.post(f"{API}/blank/new", json=body, headers=admin)
    assert made.status_code == 201, made.text
    got = fresh_client.get(f"{API}/blank", headers=admin).json()["map"]
    assert got["type"] == "future_state" and got["stage_model"] == "aida"
    neither = fresh_client.post(f"{API}/b2/new", json={"lang": "vi"}, headers=admin)
    assert (
        neither.status_code == 400
        and "mô hình"
        in neither.json()["error"]["message"]
        + (
            fresh_client.post(
                f"{API}/b2/new", json={}, params={"lang": "vi"}, headers=admin
            ).json()["error"]["message"]
        )
    )


def test_preview_of_an_unsaved_body(fresh_client: TestClient, fresh_shop: Shop) -> None:
    admin, read = bearer(fresh_shop.keys["admin"]), bearer(fresh_shop.keys["read"])
    fresh_client.post(f"{API}/m/new", json={"template": "retail-current-state"}, headers=admin)
    document = fresh_client.get(f"{API}/m", headers=admin).json()["document"]
    before = fresh_client.post(f"{API}/render", json=document, headers=admin)
    assert before.status_code == 200 and before.headers["content-type"] == "image/svg+xml"
    saved = fresh_client.get(f"{API}/m/render", headers=admin)
    assert before.content == saved.content  # the same renderer as `map render`
    document["title"] = "Bản đồ <img src=x onerror=alert(1)>"
    after = fresh_client.post(f"{API}/render", json=document, headers=admin)
    assert "Bản đồ &lt;img src=x onerror=alert(1)&gt;" in after.text and "<img" not in after.text
    document["stages"] = []
    bad = fresh_client.post(f"{API}/render", json=document, headers=admin)
    assert bad.status_code == 400
    assert [p["path"] for p in bad.json()["error"]["problems"]][:1] == ["stages"]
    assert fresh_client.post(f"{API}/render", json=document, headers=read).status_code == 403


@pytest.mark.skipif(find_chromium() is None, reason="PDF and PNG need Chromium")
def test_pdf_and_png_where_the_server_has_chromium(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    admin, read = bearer(fresh_shop.keys["admin"]), bearer(fresh_shop.keys["read"])
    fresh_client.post(f"{API}/m/new", json={"template": "retail-current-state"}, headers=admin)
    pdf = fresh_client.get(f"{API}/m/render", params={"format": "pdf"}, headers=read)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    png = fresh_client.get(f"{API}/m/render", params={"format": "png"}, headers=read)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_excel_import_makes_a_new_map(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    admin = bearer(fresh_shop.keys["admin"])
    fresh_client.post(f"{API}/m/new", json={"template": "retail-current-state"}, headers=admin)
    xlsx = fresh_client.get(f"{API}/m/render", params={"format": "xlsx"}, headers=admin).content
    made = fresh_client.post(f"{API}/from-excel/import", content=xlsx, headers=admin)
    assert made.status_code == 201, made.text
    workbook = tmp_path / "m.xlsx"
    workbook.write_bytes(xlsx)
    assert cli("map", "import", workbook, "-o", tmp_path / "m.yaml").code == 0
    saved = (fresh_shop.root / "maps" / "from-excel.yaml").read_text("utf-8")
    assert saved == (tmp_path / "m.yaml").read_text("utf-8")
    junk = fresh_client.post(f"{API}/junk/import", content=b"not a workbook", headers=admin)
    assert junk.status_code == 400 and not (fresh_shop.root / "maps" / "junk.yaml").exists()
    assert not [p for p in fresh_shop.root.iterdir() if p.name.startswith(".import-")]
    assert json.loads(made.text)["version"]["number"] == 1


def test_a_save_whose_history_cannot_be_kept_leaves_the_map_as_it_was(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    admin = bearer(fresh_shop.keys["admin"])
    body = {"template": "retail-current-state", "lang": "vi"}
    assert fresh_client.post(f"{API}/autumn/new", json=body, headers=admin).status_code == 201
    saved = fresh_shop.root / "maps" / "autumn.yaml"
    before = saved.read_text("utf-8")
    (fresh_shop.root / "maps" / ".versions" / "autumn" / "index.json").write_text("{", "utf-8")
    document = fresh_client.get(f"{API}/autumn", headers=admin).json()["document"]
    document["title"] = "Mùa thu"
    put = fresh_client.put(f"{API}/autumn", json=document, headers=admin)
    assert put.status_code == 400
    assert put.json()["error"]["code"] == "damaged_history"
    assert saved.read_text("utf-8") == before  # no change without its version
