"""Adapting the model to a workspace's own star-rated reviews: weak labels from stars, a
held-out check, kept only when better; bad files refused with their line."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from journeyscope.errors import InputError
from journeyscope.feedback.adapt import adapt, fine_tune, read_rated_reviews
from journeyscope.feedback.sentiment import load_model, raw_scores, read_model
from tests.conftest import shared_data

# a shop whose customers praise with a word the shipped model has never seen as praise
GOOD = ["hàng {n} zin lắm", "áo số {n} zin", "mẫu {n} zin xịn", "zin, mua lần {n}"]
BAD = ["hàng {n} tệ quá", "áo số {n} rách", "mẫu {n} lỗi", "lần {n} giao sai"]


def _write(path: Path, rows: list[tuple[str, str]], header: tuple[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _shop(tmp_path: Path) -> Path:
    rows = [(g.format(n=i), "5") for i in range(60) for g in GOOD]
    rows += [(b.format(n=i), "1") for i in range(30) for b in BAD]
    rows += [("tạm được", "3")] * 5
    return _write(tmp_path / "reviews.csv", rows, ("comment", "rating"))


def test_stars_become_labels_and_three_stars_are_left_out(tmp_path: Path) -> None:
    texts, labels, skipped = read_rated_reviews(_shop(tmp_path))
    assert skipped == 5
    assert len(texts) == 60 * 4 + 30 * 4
    assert labels[0] == 1 and labels[-1] == 0


def test_fine_tuning_learns_the_shops_words() -> None:
    base = load_model()
    texts = [g.format(n=i) for i in range(40) for g in GOOD]
    texts += [b.format(n=i) for i in range(40) for b in BAD]
    labels = [1] * 160 + [0] * 160
    tuned = fine_tune(texts, labels, base)
    before, after = raw_scores(["zin"], base)[0], raw_scores(["zin"], tuned)[0]
    assert after > before
    assert after > 0


def test_adapt_keeps_a_better_model(tmp_path: Path) -> None:
    out = tmp_path / "ws" / "models" / "sentiment-adapted.npz"
    report = adapt(_shop(tmp_path), load_model(), out)
    assert report.trained + report.held_out == 360
    assert report.after_macro_f1 >= report.before_macro_f1
    if report.kept:
        assert read_model(out).meta["adapted"]["reviews"] == report.trained
    else:
        assert not out.exists()


def test_bad_review_files(tmp_path: Path) -> None:
    no_stars = _write(tmp_path / "a.csv", [("hàng đẹp", "x")], ("text", "note"))
    with pytest.raises(InputError, match="stars"):
        read_rated_reviews(no_stars)
    bad_star = _write(tmp_path / "b.csv", [("hàng đẹp", "5"), ("hàng xấu", "9")], ("text", "stars"))
    with pytest.raises(InputError) as caught:
        read_rated_reviews(bad_star)
    assert caught.value.location is not None and caught.value.location.line == 3
    few = _write(tmp_path / "c.csv", [("hàng đẹp", "5")] * 50, ("text", "stars"))
    with pytest.raises(InputError, match="too few"):
        adapt(few, load_model(), tmp_path / "m.npz")


@pytest.mark.shared_data
def test_adapting_on_shopee_reviews_helps_on_held_out_ones(tmp_path: Path) -> None:
    """Research data: measured here, never shipped (the adapted model stays in tmp)."""
    source = shared_data("vi-shopee-fashion-reviews", "reviews.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(handle)][:15_000]
    reviews = _write(tmp_path / "shop.csv", rows, ("text", "stars"))
    report = adapt(reviews, load_model(), tmp_path / "m.npz")
    assert report.kept
    assert report.after_macro_f1 >= report.before_macro_f1 + 0.03
    assert np.isfinite(report.after_macro_f1)
