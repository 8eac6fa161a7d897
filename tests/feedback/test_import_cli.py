"""`journeyscope feedback import|summary` from the command line: counts, exit codes, JSON,
messages in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

FIXTURES = Path(__file__).parent / "fixtures"


def test_import_then_summary(tmp_path: Path, cli: Callable[..., Result]) -> None:
    shop = tmp_path / "shop"
    assert cli("init", "-w", shop).code == 0
    clean = cli("feedback", "import", FIXTURES / "tickets.csv", "-w", shop, "--json")
    assert clean.code == 0, clean.err
    (only,) = clean.json()["files"]
    assert (only["kind"], only["accepted"], only["feedback"]) == ("ticket", 3, 3)
    quarantined = cli("feedback", "import", FIXTURES / "survey.csv", "-w", shop)
    assert quarantined.code == 1  # some rows quarantined, as `ingest`
    assert "5 stored" in quarantined.out and "4 quarantined" in quarantined.out
    again = cli("--lang", "vi", "feedback", "import", FIXTURES / "survey.csv", "-w", shop)
    assert "lưu 0, đã có 5" in again.out
    summary = cli("feedback", "summary", "-w", shop, "--by", "kind", "--json").json()
    assert {g["key"]: g["responses"] for g in summary["groups"]} == {"survey": 5, "ticket": 3}
    table = cli("feedback", "summary", "-w", shop, "--by", "channel")
    assert table.code == 0 and "hotline" in table.out and "NPS" in table.out


def test_refusals_are_located_and_bilingual(tmp_path: Path, cli: Callable[..., Result]) -> None:
    shop = tmp_path / "shop"
    cli("init", "-w", shop)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    refused = cli("--lang", "vi", "feedback", "import", odd, "-w", shop, "--kind", "ticket")
    assert refused.code == 2
    assert "odd.csv" in refused.err and "created_at" in refused.err and "-m" in refused.err
    wrong = cli("feedback", "import", odd, "-w", shop, "--kind", "poll", "--json")
    assert wrong.code == 2 and wrong.json()["error"]["code"] == "invalid_option"
