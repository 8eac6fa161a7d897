"""Customer feedback: offline sentiment (vi with and without diacritics, en) and aspects.

``analyse(texts)`` gives, per text in input order, a label (positive, neutral, negative), a
score in [-1, 1] and the aspects it is about (delivery, packaging, product quality, price,
service, payment, app). The model ships in the package; nothing is downloaded. See
docs/feedback.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.feedback.aspects import ASPECTS, LANGS, aspects_of_all

if TYPE_CHECKING:
    from journeyscope.feedback.sentiment import SentimentModel


@dataclass(frozen=True)
class FeedbackScore:
    """One text's sentiment and aspects (what `journeyscope sentiment --json` prints)."""

    label: str
    score: float
    aspects: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def analyse(
    texts: Sequence[str], lang: str = "auto", model: SentimentModel | None = None
) -> list[FeedbackScore]:
    """Sentiment and aspects of every text, in input order (``lang``: vi, en or auto;
    ``model``: the shipped one unless given, e.g. a workspace's adapted model)."""
    if lang not in LANGS:
        raise InputError(
            f"unknown text language {lang!r}",
            f"ngôn ngữ văn bản không hợp lệ {lang!r}",
            hint_en="use vi, en or auto",
            hint_vi="dùng vi, en hoặc auto",
            code="invalid_option",
        )
    from journeyscope.feedback.sentiment import score_texts  # NumPy loads here, not at import

    verdicts = score_texts(texts, model)
    return [
        FeedbackScore(v.label, v.score, found)
        for v, found in zip(verdicts, aspects_of_all(texts, lang), strict=True)
    ]


def read_texts(source: str | Path) -> list[str]:
    """One text per line of a UTF-8 file (``-``: standard input); blank lines are kept, as
    empty texts, so output lines up with input. Errors say the file and the line."""
    name = str(source)
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise NotFound(
                f"no such file: {name}",
                f"không có tệp: {name}",
                location=Location(file=name),
                hint_en="give a text file with one feedback text per line, or - for stdin",
                hint_vi="chọn một tệp văn bản, mỗi dòng một ý kiến, hoặc - để đọc từ stdin",
            )
        data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte {exc.start} on line {line})",
            f"không phải văn bản UTF-8 (byte {exc.start} ở dòng {line})",
            location=Location(file=name, line=line),
            hint_en="save the file as UTF-8 (Excel: 'CSV UTF-8'; editors: 'Save with encoding')",
            hint_vi="lưu tệp dạng UTF-8 (Excel: 'CSV UTF-8'; trình soạn thảo: 'Lưu với mã hoá')",
            code="invalid_encoding",
        ) from exc
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it starts no new one
    lines = [line.removesuffix("\r") for line in lines]
    if not any(line.strip() for line in lines):
        raise InputError(
            "the file has no text to score",
            "tệp không có văn bản nào để chấm",
            location=Location(file=name),
            hint_en="write one feedback text per line",
            hint_vi="viết mỗi ý kiến phản hồi trên một dòng",
            code="invalid_file",
        )
    return lines


__all__ = ["ASPECTS", "LANGS", "FeedbackScore", "analyse", "read_texts"]
