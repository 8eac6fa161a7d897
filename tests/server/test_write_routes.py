"""The write routes through a real HTTP client: maps and personas (validated, atomic,
ETag/If-Match, no path escapes), stage models, identity block/blocks/export and forget —
each answer equal to the CLI's ``--json`` for the same thing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Result
from tests.server.conftest import Shop, bearer

API = "/api/v1/workspaces/shop"


@pytest.fixture
def map_text(tmp_path: Path, cli: Callable[..., Result]) -> str:
    """A valid map document (YAML), made by the CLI from a template."""
    target = tmp_path / "made.yaml"
    assert cli("map", "new", "--template", "retail-current-state", "-o", target).code == 0
    return target.read_text("utf-8")


def yaml_body(text: str) -> dict[str, object]:
    return {"content": text.encode("utf-8"), "headers": {"Content-Type": "application/yaml"}}


def test_a_map_is_created_read_replaced_and_deleted(
    fresh_client: TestClient, fresh_shop: Shop, map_text: str
) -> None:
    client, admin = fresh_client, bearer(fresh_shop.keys["admin"])
    read = bearer(fresh_shop.keys["read"])
    text = "# our own comment\n" + map_text
    made = client.put(f"{API}/maps/summer", content=text.encode(), headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["created"] is True and made.json()["valid"] is True
    saved = fresh_shop.root / "maps" / "summer.yaml"
    assert saved.read_text("utf-8") == text  # the text as sent, comment kept
    etag = made.headers["ETag"]
    assert made.json()["etag"] == etag
    got = client.get(f"{API}/maps/summer", headers=read).json()
    assert got["ok"] is True and got["map"]["stages"]
    document = client.get(f"{API}/maps/summer/document", headers=read)
    assert document.text == text and document.headers["ETag"] == etag
    assert document.headers["content-type"].startswith("application/yaml")

    changed = text.replace("# our own comment", "# edited")
    stale = '"' + "0" * 64 + '"'
    refused = client.put(
        f"{API}/maps/summer", content=changed.encode(), headers={**admin, "If-Match": stale}
    )
    assert refused.status_code == 412, refused.text
    assert refused.json()["error"]["code"] == "precondition_failed"
    assert saved.read_text("utf-8") == text  # nothing written
    replaced = client.put(
        f"{API}/maps/summer", content=changed.encode(), headers={**admin, "If-Match": etag}
    )
    assert replaced.status_code == 200 and replaced.json()["created"] is False
    assert replaced.headers["ETag"] != etag
    assert saved.read_text("utf-8") == changed
    exists = client.put(
        f"{API}/maps/summer", content=changed.encode(), headers={**admin, "If-None-Match": "*"}
    )
    assert exists.status_code == 412
    assert client.get(f"{API}/maps", headers=read).json() == {"maps": ["summer"]}

    assert (
        client.delete(f"{API}/maps/summer", headers={**admin, "If-Match": etag}).status_code == 412
    )
    gone = client.delete(f"{API}/maps/summer", headers=admin)
    assert gone.status_code == 200 and gone.json() == {"deleted": "summer"}
    assert not saved.exists()
    assert client.delete(f"{API}/maps/summer", headers=admin).status_code == 404


def test_a_json_map_is_saved_as_json(
    fresh_client: TestClient, fresh_shop: Shop, map_text: str
) -> None:
    import json

    import yaml

    data = yaml.safe_load(map_text)
    answer = fresh_client.put(f"{API}/maps/j", json=data, headers=bearer(fresh_shop.keys["admin"]))
    assert answer.status_code == 201, answer.text
    assert json.loads((fresh_shop.root / "maps" / "j.json").read_text("utf-8")) == data


def test_an_invalid_map_is_a_located_400_and_nothing_is_written(
    fresh_client: TestClient, fresh_shop: Shop, map_text: str
) -> None:
    admin = bearer(fresh_shop.keys["admin"])
    bad = map_text.replace("stage_model:", "stage_modle:", 1)
    assert bad != map_text
    answer = fresh_client.put(f"{API}/maps/broken", content=bad.encode(), headers=admin)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_document"
    assert error["location"]["file"] == "broken.yaml" and error["location"]["line"]
    assert error["problems"] and all(p["file"] == "broken.yaml" for p in error["problems"])
    assert not list((fresh_shop.root / "maps").glob("broken*"))
    assert not [p for p in (fresh_shop.root / "maps").iterdir() if p.name.startswith(".")]
    malformed = fresh_client.put(f"{API}/maps/broken", content=b"a: [1, 2", headers=admin)
    assert malformed.status_code == 400 and malformed.json()["error"]["location"]["line"]
    vi = fresh_client.put(
        f"{API}/maps/broken", content=bad.encode(), params={"lang": "vi"}, headers=admin
    )
    assert vi.json()["error"]["message"] != error["message"]


def test_validate_answers_what_map_validate_prints(
    fresh_client: TestClient,
    fresh_shop: Shop,
    map_text: str,
    cli: Callable[..., Result],
    tmp_path: Path,
) -> None:
    bad = map_text.replace("stage_model:", "stage_modle:", 1)
    for text in (map_text, bad):
        source = tmp_path / "body.yaml"
        source.write_text(text, "utf-8")
        printed = cli("map", "validate", source, "--json").json()[0]
        answer = fresh_client.post(
            f"{API}/maps/validate", content=text.encode(), headers=bearer(fresh_shop.keys["read"])
        )
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert got["valid"] == printed["valid"]
        strip = [{k: v for k, v in p.items() if k != "file"} for p in printed["problems"]]
        assert [{k: v for k, v in p.items() if k != "file"} for p in got["problems"]] == strip
    assert not list((fresh_shop.root / "maps").iterdir())  # validating saves nothing


@pytest.mark.parametrize(
    "bad", ["..", "..%2Fx", "%2Fetc%2Fpasswd", ".hidden", "a%00b", "a%2F..%2F..%2Fx", "x" * 101]
)
def test_names_that_could_escape_the_folder_are_refused(
    fresh_client: TestClient, fresh_shop: Shop, map_text: str, bad: str
) -> None:
    admin = bearer(fresh_shop.keys["admin"])
    before = sorted(p.name for p in fresh_shop.root.parent.rglob("*"))
    for url in (f"{API}/maps/{bad}", f"{API}/personas/{bad}"):
        answer = fresh_client.put(url, content=map_text.encode(), headers=admin)
        assert 400 <= answer.status_code < 500, (url, answer.text)
        assert "error" in answer.json()
        assert 400 <= fresh_client.delete(url, headers=admin).status_code < 500
    assert sorted(p.name for p in fresh_shop.root.parent.rglob("*")) == before


def test_a_document_over_the_limit_is_a_413(fresh_client: TestClient, fresh_shop: Shop) -> None:
    from journeyscope.maps.io import MAX_DOCUMENT_BYTES

    huge = b"a: " + b"x" * MAX_DOCUMENT_BYTES
    answer = fresh_client.put(
        f"{API}/maps/big", content=huge, headers=bearer(fresh_shop.keys["admin"])
    )
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"
    assert not list((fresh_shop.root / "maps").iterdir())


def test_render_svg_html_mermaid_and_refuse_png(
    fresh_client: TestClient,
    fresh_shop: Shop,
    map_text: str,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a server without Chromium refuses PNG and PDF (with it: tests/server/test_map_routes.py)
    monkeypatch.setenv("JOURNEYSCOPE_CHROMIUM", str(fresh_shop.root / "no-chromium-here"))
    (fresh_shop.root / "maps" / "m.yaml").write_text(map_text, "utf-8")
    read = bearer(fresh_shop.keys["read"])
    svg = fresh_client.get(f"{API}/maps/m/render", params={"format": "svg"}, headers=read)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<svg") or "<svg" in svg.text[:200]
    html = fresh_client.get(f"{API}/maps/m/render", params={"format": "html"}, headers=read)
    assert html.status_code == 200 and "<html" in html.text.lower()
    mermaid = fresh_client.get(f"{API}/maps/m/render", params={"format": "mermaid"}, headers=read)
    out = fresh_shop.root.parent / "m.mmd"
    assert cli("map", "render", fresh_shop.root / "maps" / "m.yaml", "-o", out).code == 0
    assert mermaid.text == out.read_text("utf-8")
    for fmt in ("png", "pdf"):
        refused = fresh_client.get(f"{API}/maps/m/render", params={"format": fmt}, headers=read)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "format_needs_browser"
    assert (
        fresh_client.get(f"{API}/maps/m/render", params={"format": "gif"}, headers=read).status_code
        == 422
    )


def test_personas_crud_and_the_library_equals_persona_list(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    admin, read = bearer(fresh_shop.keys["admin"]), bearer(fresh_shop.keys["read"])
    copy = tmp_path / "lan.yaml"
    assert cli("persona", "new", "lan-office-worker", "-o", copy).code == 0
    text = copy.read_text("utf-8").replace("lan-office-worker", "lan-ours")
    made = fresh_client.put(f"{API}/personas/lan-ours", content=text.encode(), headers=admin)
    assert made.status_code == 201, made.text
    folder = fresh_shop.root / "maps" / "personas"
    listed = fresh_client.get(f"{API}/personas", headers=read).json()
    assert listed == cli("persona", "list", "--personas", folder, "--json").json()
    assert "lan-ours" in [p["id"] for p in listed]
    assert fresh_client.get(f"{API}/personas/lan-ours", headers=read).json()["id"] == "lan-ours"
    wrong_id = fresh_client.put(f"{API}/personas/other", content=text.encode(), headers=admin)
    assert wrong_id.status_code == 400
    assert wrong_id.json()["error"]["location"]["field"] == "id"
    assert not (folder / "other.yaml").exists()
    builtin = fresh_client.delete(f"{API}/personas/minh-student", headers=admin)
    assert builtin.status_code == 404
    assert fresh_client.delete(f"{API}/personas/lan-ours", headers=admin).status_code == 200
    assert fresh_client.get(f"{API}/personas/lan-ours", headers=read).status_code == 404


def test_stage_models_equal_stages_list_and_show(
    client: TestClient, shop: Shop, cli: Callable[..., Result]
) -> None:
    read = bearer(shop.keys["read"])
    assert (
        client.get(f"{API}/stage-models", headers=read).json()
        == cli("stages", "list", "--json").json()
    )
    assert (
        client.get(f"{API}/stage-models/retail5", headers=read).json()
        == cli("stages", "show", "retail5", "--json").json()
    )
    missing = client.get(f"{API}/stage-models/nosuch", headers=read)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_stage_model"


def twin(shop: Shop, tmp_path: Path) -> Path:
    """A second copy of the workspace, for the CLI to do the same thing to."""
    return Path(shutil.copytree(shop.root, tmp_path / "twin"))


def test_block_unblock_and_blocks_equal_the_cli(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    other = twin(fresh_shop, tmp_path)
    admin = bearer(fresh_shop.keys["admin"])
    body = {"identifier": "email:lan@example.com"}
    blocked = fresh_client.post(f"{API}/identity/block", json=body, headers=admin)
    assert blocked.status_code == 200
    printed = cli("identity", "block", "email:lan@example.com", "-w", other, "--json").json()
    assert blocked.json() == printed and printed["new"] is True
    pair = {"identifier": "user_id:u1", "other": "email:lan@example.com"}
    assert fresh_client.post(f"{API}/identity/block", json=pair, headers=admin).status_code == 200
    blocks = fresh_client.get(f"{API}/identity/blocks", headers=bearer(fresh_shop.keys["read"]))
    assert [b["identifier"] for b in blocks.json()] == ["email:lan@example.com", "user_id:u1"]
    assert blocks.json() == cli("identity", "blocks", "-w", fresh_shop.root, "--json").json()
    unblocked = fresh_client.request("DELETE", f"{API}/identity/block", json=body, headers=admin)
    assert unblocked.json() == {"removed": 1}
    bad = fresh_client.post(f"{API}/identity/block", json={"identifier": "nocolon"}, headers=admin)
    assert bad.status_code == 400
    assert bad.json() == cli("identity", "block", "nocolon", "-w", other, "--json").json()


def test_identity_export_is_the_cli_csv(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    answer = fresh_client.get(f"{API}/identity/export", headers=bearer(fresh_shop.keys["admin"]))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    target = tmp_path / "ids.csv"
    printed = cli("identity", "export", "-o", target, "-w", fresh_shop.root, "--json").json()
    assert answer.content == target.read_bytes()
    assert int(answer.headers["X-Rows"]) == printed["rows"] > 0
    assert not [p for p in fresh_shop.root.iterdir() if p.name.startswith(".export-")]


def test_forget_list_and_unsuppress_equal_the_cli(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    other = twin(fresh_shop, tmp_path)
    admin = bearer(fresh_shop.keys["admin"])
    who = "email:lan@example.com"
    done = fresh_client.post(f"{API}/forget", json={"identifier": who}, headers=admin)
    assert done.status_code == 200, done.text
    printed = cli("forget", "--identifier", who, "-w", other, "--json").json()
    assert done.json() == printed and printed["deleted"]["events"] > 0
    gone = fresh_client.get(f"{API}/customers/{who}", headers=admin)
    assert gone.status_code == 404
    listing = fresh_client.get(f"{API}/forget", headers=admin)
    assert listing.json() == cli("forget", "--list", "-w", fresh_shop.root, "--json").json()
    assert who.split(":")[1] not in listing.text  # hashes only
    assert (
        fresh_client.get(f"{API}/forget", headers=bearer(fresh_shop.keys["read"])).status_code
        == 403
    )
    back = fresh_client.request("DELETE", f"{API}/forget", json={"identifier": who}, headers=admin)
    assert back.status_code == 200
    again = cli("forget", "--unsuppress", who, "-w", other, "--json").json()
    assert back.json() == again and again["removed"] == 1
