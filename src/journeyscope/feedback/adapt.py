"""Adapt the shipped sentiment model to one shop's own star-rated reviews.

Why: the shipped model learnt from restaurant reviews and a few hand-written shop phrases;
each shop's customers have their own words ("form chuẩn", "tạm được"). Their reviews come
with stars (Shopee, Lazada, TikTok Shop exports), which are weak labels: 1-2 stars negative,
4-5 positive, 3 left out. Fine-tuning starts from the shipped weights and is pulled back
towards them (an L2 penalty on the change), with classes weighted equally however skewed the
stars are (a shop's reviews are mostly five-star). Every fifth review is held out; the
adapted model is kept only when it beats the shipped one on those, and both figures are
reported. NumPy only, like scoring: no training library at run time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from journeyscope.errors import InputError, Location
from journeyscope.feedback.sentiment import SentimentModel, featurise, raw_scores, save_model

TEXT_COLUMNS = ("text", "comment", "review", "content", "noi_dung", "nội dung", "body")
STAR_COLUMNS = ("stars", "star", "rating", "rating_star", "label", "score", "sao")
MIN_PER_CLASS = 20
HELD_OUT_EVERY = 5


@dataclass(frozen=True)
class AdaptReport:
    """What adaptation did: sizes, held-out macro-F1 before and after, and whether kept."""

    trained: int
    held_out: int
    skipped_three_star: int
    before_macro_f1: float
    after_macro_f1: float
    kept: bool

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def workspace_model_path(root: Path) -> Path:
    """Where a workspace keeps its adapted model (beside its data, never shipped)."""
    return root / "models" / "sentiment-adapted.npz"


def _column(header: list[str], names: tuple[str, ...], what: str, path: Path) -> int:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    raise InputError(
        f"no {what} column (looked for: {', '.join(names)}; the file has: {', '.join(header)})",
        f"không có cột {what} (đã tìm: {', '.join(names)}; tệp có: {', '.join(header)})",
        location=Location(file=str(path), line=1),
        hint_en="name the columns text and stars",
        hint_vi="đặt tên cột là text và stars",
        code="missing_column",
    )


def read_rated_reviews(path: Path) -> tuple[list[str], list[int], int]:
    """(texts, labels 1/0, three-star rows skipped) from a UTF-8 CSV with a text and a star
    column. A star value that is not 1-5 is an error naming its line."""
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "not UTF-8 text",
            "không phải văn bản UTF-8",
            location=Location(file=str(path)),
            hint_en="save the file as UTF-8 ('CSV UTF-8')",
            hint_vi="lưu tệp dạng UTF-8 ('CSV UTF-8')",
            code="invalid_encoding",
        ) from exc
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(reader, [])
    text_at = _column(header, TEXT_COLUMNS, "text", path)
    star_at = _column(header, STAR_COLUMNS, "stars", path)
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    skipped = 0
    for row in reader:
        if len(row) <= max(text_at, star_at):
            continue
        stars = _stars(row[star_at], path, reader.line_num)
        text = row[text_at].strip()
        if stars == 3:
            skipped += 1
        elif text and text not in seen:  # stock phrases recur; count each once
            seen.add(text)
            texts.append(text)
            labels.append(int(stars >= 4))
    return texts, labels, skipped


def _stars(value: str, path: Path, line: int) -> int:
    try:
        stars = round(float(value.strip().replace(",", ".")))
    except ValueError:
        stars = 0
    if not 1 <= stars <= 5:
        raise InputError(
            f"stars must be 1-5, got {value!r}",
            f"số sao phải từ 1 đến 5, nhận được {value!r}",
            location=Location(file=str(path), line=line),
            code="invalid_file",
        )
    return stars


def macro_f1(labels: npt.NDArray[np.int64], scores: npt.NDArray[np.float32]) -> float:
    """Mean F1 of positive and negative, calling the sign of the score."""
    predicted = (scores > 0).astype(np.int64)
    f1 = []
    for cls in (0, 1):
        tp = float(np.sum((labels == cls) & (predicted == cls)))
        total = float(np.sum(labels == cls) + np.sum(predicted == cls))
        f1.append(2 * tp / total if total else 0.0)
    return round(float(np.mean(f1)), 4)


def fine_tune(
    texts: list[str],
    labels: list[int],
    base: SentimentModel,
    *,
    steps: int = 60,
    rate: float = 0.05,
    pull: float = 1e-4,
) -> SentimentModel:
    """Full-batch Adam on the class-balanced logistic loss plus ``pull * |w - w0|^2``."""
    row, col, values = featurise(texts, base.n_bits)
    y = np.asarray(labels, dtype=np.float64)
    n_pos = max(float(y.sum()), 1.0)
    n_neg = max(float(len(y) - y.sum()), 1.0)
    weight = np.where(y == 1, 0.5 / n_pos, 0.5 / n_neg)  # each class carries half the loss
    w0 = base.weights.astype(np.float64)
    w, b = w0.copy(), base.bias
    m, v = np.zeros_like(w), np.zeros_like(w)
    mb = vb = 0.0
    size = 1 << base.n_bits
    for step in range(1, steps + 1):
        z = np.bincount(row, weights=values * w[col], minlength=len(y)) + b
        residual = weight * (0.5 * (1.0 + np.tanh(z / 2.0)) - y)  # sigmoid, no overflow
        data_grad = np.bincount(col, weights=values * residual[row], minlength=size)
        grad = data_grad.astype(np.float64) + 2 * pull * (w - w0)
        grad_b = float(residual.sum())
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        mb, vb = 0.9 * mb + 0.1 * grad_b, 0.999 * vb + 0.001 * grad_b * grad_b
        fix1, fix2 = 1 - 0.9**step, 1 - 0.999**step
        w -= rate * (m / fix1) / (np.sqrt(v / fix2) + 1e-8)
        b -= rate * (mb / fix1) / (np.sqrt(vb / fix2) + 1e-8)
    return SentimentModel(w.astype(np.float32), b, base.neutral_band, base.n_bits, dict(base.meta))


def adapt(reviews: Path, base: SentimentModel, out: Path) -> AdaptReport:
    """Fine-tune on ``reviews``, check on the held-out fifth, write ``out`` if it is better."""
    texts, labels, skipped = read_rated_reviews(reviews)
    y = np.asarray(labels, dtype=np.int64)
    for cls, name_en, name_vi in ((0, "1-2 star", "1-2 sao"), (1, "4-5 star", "4-5 sao")):
        if int(np.sum(y == cls)) < MIN_PER_CLASS:
            raise InputError(
                f"too few {name_en} reviews to learn from (need {MIN_PER_CLASS})",
                f"quá ít đánh giá {name_vi} để học (cần {MIN_PER_CLASS})",
                location=Location(file=str(reviews)),
                hint_en="export more reviews, including low-rated ones",
                hint_vi="xuất thêm đánh giá, gồm cả đánh giá thấp",
                code="invalid_file",
            )
    held = np.arange(len(texts)) % HELD_OUT_EVERY == HELD_OUT_EVERY - 1
    train_t = [t for t, h in zip(texts, held, strict=True) if not h]
    test_t = [t for t, h in zip(texts, held, strict=True) if h]
    adapted = fine_tune(train_t, [int(x) for x in y[~held]], base)
    before = macro_f1(y[held], raw_scores(test_t, base))
    after = macro_f1(y[held], raw_scores(test_t, adapted))
    kept = after > before
    if kept:
        meta = dict(base.meta) | {
            "adapted": {
                "from": str(reviews.name),
                "date": dt.date.today().isoformat(),
                "reviews": len(train_t),
                "held_out_macro_f1_before": before,
                "held_out_macro_f1_after": after,
                "note": "fine-tuned on this workspace's own star-rated reviews; not shipped",
            }
        }
        save_model(
            SentimentModel(adapted.weights, adapted.bias, base.neutral_band, base.n_bits, meta),
            out,
        )
    return AdaptReport(len(train_t), len(test_t), skipped, before, after, kept)


__all__ = [
    "AdaptReport",
    "adapt",
    "fine_tune",
    "macro_f1",
    "read_rated_reviews",
    "workspace_model_path",
]
