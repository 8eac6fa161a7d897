"""docs/data.md's UCI worked example, run as written: its commands and its numbers cannot
drift from what the product does."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED_DATA, Result, shared_data

ROOT = Path(__file__).parents[1]
DOC = ROOT / "docs" / "data.md"
Cli = Callable[..., Result]


def worked_example() -> tuple[list[list[str]], str]:
    """The commands of the worked example's bash block, and the section's text."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Worked example: UCI Online Retail", 1)[1].split("\n### ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    return [shlex.split(line) for line in block.splitlines() if line.strip()], section


def _number(section: str, label: str) -> int:
    """The first number after ``label`` in the section's table (1,234 written with commas)."""
    match = re.search(re.escape(label) + r"\D*?([\d,]+)", section)
    assert match, f"{label!r} not found in docs/data.md"
    return int(match.group(1).replace(",", ""))


@pytest.mark.shared_data
def test_uci_worked_example_runs_as_documented(cli: Cli, tmp_path: Path) -> None:
    shared_data("uci-online-retail")
    commands, section = worked_example()
    outputs: dict[str, Any] = {}
    for words in commands:
        assert words[0] == "journeyscope"
        places = {
            "../shared/data/": f"{SHARED_DATA}/",
            "retail/": f"{tmp_path / 'retail'}/",
            "examples/": f"{ROOT / 'examples'}/",
        }
        args = [
            next((w.replace(k, v, 1) for k, v in places.items() if w.startswith(k)), w)
            for w in words[1:]
        ]
        res = cli(*args)
        assert res.code == 0, (words, res.err)
        outputs[words[1]] = res.json() if "--json" in words else res.out
    assert outputs["ingest"]["accepted"] == 25_900 == _number(section, "| events | 541,909 lines |")
    card = outputs["customers"]
    assert f"{card['orders']} orders, {card['refunds']} refund" in section
    assert (card["orders"], card["refunds"]) == (34, 1)
    assert f"£{card['revenue']:,.2f}" in section and card["currency"] == "GBP"
    assert card["first_seen"] in section
    repeat = outputs["funnel"]["steps"][1]["customers"]
    assert f"{repeat:,} of 4,339" in section
    conversions = outputs["attribution"]["total_conversions"]
    assert f"{int(conversions):,} conversions" in section
