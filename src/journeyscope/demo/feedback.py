"""The demo's feedback, as a survey tool and a review export would hand it over.

The generator writes the reviews and survey answers in ``feedback.jsonl`` (which plain
``ingest`` reads as events). A real shop gets them as a survey tool's CSV and a review
export, so the demo writes those two files from it (with the ``feedback:`` mapping that
names their score and text columns) and imports them with ``journeyscope feedback import``
instead: the same events (same source and ids), plus the ``feedback`` table (scores,
sentiment, aspects) that the generated map's emotion curve and pains read.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml

from journeyscope.events.workspace import Workspace

#: the generator's file of reviews and survey answers (imported as these two instead)
FEEDBACK_EVENTS = "feedback.jsonl"
SURVEY_FILE = "feedback_survey.csv"
REVIEWS_FILE = "feedback_reviews.csv"
#: the kind and the score/text columns of each file (the `feedback:` mapping section)
FEEDBACK_MAPPINGS: dict[str, dict[str, Any]] = {
    SURVEY_FILE: {"kind": "survey", "nps": "nps", "text": "text"},
    REVIEWS_FILE: {"kind": "review", "stars": "rating", "text": "text"},
}
IDS = ("phone", "email")


def write_feedback_exports(sources: Path, out: Path | None = None) -> list[tuple[Path, Path]]:
    """``feedback_survey.csv`` and ``feedback_reviews.csv`` (with their mappings) in ``out``
    (default: ``sources``) from the generator's ``feedback.jsonl``: one row per answer."""
    out = out or sources
    rows = [
        json.loads(line)
        for line in (sources / FEEDBACK_EVENTS).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    files = []
    for name, event, scores in (
        (SURVEY_FILE, "survey_response", ("nps",)),
        (REVIEWS_FILE, "review", ("rating",)),
    ):
        path = out / name
        header = ["event_id", "ts", "channel", *IDS, *scores, "text", "lang"]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                if row["event"] != event:
                    continue
                props = row.get("properties") or {}
                values = {**row, **props}
                writer.writerow(["" if values.get(h) is None else values[h] for h in header])
        mapping = out / f"{path.stem}.mapping.yaml"
        document = {"source": "feedback", "feedback": FEEDBACK_MAPPINGS[name]}
        mapping.write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        files.append((path, mapping))
    return files


def import_demo_feedback(
    ws: Workspace, sources: Path, out: Path | None = None
) -> list[dict[str, Any]]:
    """Write the two feedback exports and import them as ``feedback import -m`` does."""
    from journeyscope.events.ingest import Quarantine
    from journeyscope.feedback.importing import import_feedback

    done = []
    for path, mapping in write_feedback_exports(sources, out):
        quarantine = Quarantine(ws.root / "quarantine" / f"feedback-demo-{path.stem}.csv")
        result = import_feedback(ws, path, mapping=mapping, quarantine=quarantine)
        done.append({**result.to_dict(), "file": path.name})
    return done
