"""The README's quick-starts run as written, in order, so they cannot drift: the map
quick-start, the data quick-start (on small exports made here under the README's file
names: our field names in JSON Lines and Parquet, a Shopee export with Vietnamese headers
and its mapping) and every report command."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("## From a fresh clone", "## From your exports", "## From customers to answers")


def readme_commands() -> list[list[str]]:
    """Every `journeyscope …` line of the quick-start sections' bash blocks, as arguments."""
    text = README.read_text("utf-8")
    found = []
    for heading in SECTIONS:
        section = text[text.index(heading) :]
        block = re.search(r"```bash\n(.*?)```", section, re.S)
        assert block, heading
        for line in block.group(1).splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "journeyscope":
                found.append(words[1:])
    return found


def _exports(folder: Path) -> None:
    """The README's input files, with journeys that go through every report's steps."""
    rows: list[dict[str, Any]] = []
    steps = ["product_view", "add_to_cart", "checkout", "purchase"]
    for i in range(12):
        phone = "0903123456" if i == 0 else f"09{i:08d}"
        for k, event in enumerate(steps[: 2 + i % 3]):
            rows.append(
                {
                    "event_id": f"w{i}-{k}",
                    "ts": f"2026-05-{1 + i:02d}T09:{10 * k:02d}:00+07:00",
                    "event": event,
                    "channel": "web",
                    "phone": phone,
                    "revenue": 350000 if event == "purchase" else None,
                }
            )
    (folder / "web_events.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows), encoding="utf-8"
    )
    app = [
        {
            "event_id": f"a{i}",
            "ts": f"2026-06-{1 + i:02d}T20:00:00+07:00",
            "event": "product_view",
            "channel": "app",
            "phone": f"09{i:08d}",
        }
        for i in range(1, 6)
    ]
    pq.write_table(pa.Table.from_pylist(app), folder / "app_events.parquet")
    (folder / "shopee_don_hang.csv").write_text(
        "Mã đơn hàng,Ngày đặt hàng,Số điện thoại,Tổng tiền\n"
        'SP001,2026-06-10 10:00,0903123456,"1.250.000"\n'
        'SP002,2026-06-11 11:30,0900000002,"499.000"\n',
        encoding="utf-8",
    )
    (folder / "shopee.yaml").write_text(
        "source: shopee\n"
        "constants: {event: purchase, channel: shopee}\n"
        "columns:\n"
        "  event_id: Mã đơn hàng\n"
        "  ts: Ngày đặt hàng\n"
        "  phone: Số điện thoại\n"
        "  revenue: Tổng tiền\n",
        encoding="utf-8",
    )


@pytest.mark.browser
def test_readme_quick_starts_run_as_written(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _exports(tmp_path)
    commands = readme_commands()
    assert len(commands) >= 15
    for args in commands:
        result = cli(*args)
        assert result.code == 0, (args, result.out, result.err)
    for written in (
        "ban-do.yaml",
        "ban-do.svg",
        "ban-do.pdf",
        "ban-do.png",
        "ban-do.xlsx",
        "win-back.csv",
        "sankey.svg",
        "churn.csv",
        "cohorts.svg",
    ):
        assert (tmp_path / written).stat().st_size > 0, written
    stats = cli("stats", "-w", "shop/", "--json").json()
    assert stats["events"] > 40 and stats["customers"] >= 12
