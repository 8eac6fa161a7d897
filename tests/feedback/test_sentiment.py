"""The shipped sentiment model: Vietnamese with and without diacritics, teen-code, emoji,
English; scores in [-1, 1]; order kept; batches and single texts agree."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from journeyscope.feedback import sentiment
from journeyscope.feedback.sentiment import featurise, load_model, raw_scores, score_texts
from journeyscope.feedback.text import strip_diacritics

POSITIVE = [
    "giao hàng nhanh, sản phẩm tốt",
    "giao hang nhanh san pham tot",
    "sp đẹp lắm, đóng gói cẩn thận, sẽ ủng hộ shop",
    "sp dep lam, dong goi can than, se ung ho shop",
    "Hàng đẹp, đc tặng kèm quà, cảm ơn shop 😍",
    "Great product, fast delivery, I love it",
    "Good quality and excellent value.",
]
NEGATIVE = [
    "hàng lỗi, shop không trả lời",
    "hang loi, shop khong tra loi",
    "áo bị rách, ko giống hình, thất vọng",
    "ao bi rach, k giong hinh, that vong",
    "giao hàng quá chậm, đóng gói cẩu thả 😡",
    "Terrible quality, it broke after one day.",
    "The seller never replied and I want a refund. Waste of money.",
]


@pytest.mark.parametrize("text", POSITIVE)
def test_positive_texts_are_positive(text: str) -> None:
    [verdict] = score_texts([text])
    assert verdict.label == "positive", (text, verdict)
    assert verdict.score > 0


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative_texts_are_negative(text: str) -> None:
    [verdict] = score_texts([text])
    assert verdict.label == "negative", (text, verdict)
    assert verdict.score < 0


def test_text_without_diacritics_scores_like_text_with_them() -> None:
    accented = [*POSITIVE[::2], *NEGATIVE[::2]]
    with_marks = raw_scores(accented)
    without = raw_scores([strip_diacritics(t) for t in accented])
    assert np.array_equal(np.sign(with_marks), np.sign(without))
    assert float(np.max(np.abs(with_marks - without))) < 0.6


def test_decomposed_unicode_scores_like_composed() -> None:
    text = "Giao hàng nhanh, đóng gói đẹp"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert raw_scores([nfd])[0] == pytest.approx(raw_scores([text])[0])


def test_emoji_alone_carry_the_sentiment() -> None:
    good, bad = raw_scores(["😍😍😍", "😡😡😡"])
    assert good > 0 > bad


def test_teen_code_scores_like_the_full_words() -> None:
    short, full = raw_scores(["sp ko đc như mô tả", "sản phẩm không được như mô tả"])
    assert short == pytest.approx(full)


def test_scores_stay_in_range_for_odd_input() -> None:
    odd = ["", " ", ".", "?!", "a" * 20_000, "\x00\x01", "👍" * 500, "\u0301\u0300", "123 456"]
    scores = raw_scores(odd)
    assert scores.shape == (len(odd),)
    assert np.all((scores >= -1) & (scores <= 1))
    labels = [v.label for v in score_texts(["", ".", "   "])]
    assert labels == ["neutral"] * 3  # nothing to judge is neutral, score 0
    assert list(raw_scores(["", "..."])) == [0.0, 0.0]


def test_order_is_kept_and_batches_agree_with_single_texts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [*POSITIVE, *NEGATIVE, "", "ok"]
    together = raw_scores(texts)
    alone = np.asarray([raw_scores([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-6)
    assert np.allclose(raw_scores(texts[::-1]), together[::-1], atol=1e-6)
    monkeypatch.setattr(sentiment, "_BATCH_CHARS", 30)  # many hashing steps, one per text
    assert np.allclose(raw_scores(texts), together, atol=1e-6)


def test_features_do_not_cross_texts() -> None:
    """A bigram across two texts must not exist: texts are scored independently."""
    row, col, _ = featurise(["giao hàng", "nhanh"])
    _, col_b, _ = featurise(["giao hàng nhanh"])
    first = set(col[row == 0].tolist()) | set(col[row == 1].tolist())
    assert set(col_b.tolist()) - first  # "hàng nhanh" and its char n-grams are new
    assert set(col_b.tolist()) >= set(col[row == 1].tolist())


def test_neutral_is_the_calibrated_band() -> None:
    model = load_model()
    assert model.neutral_band == pytest.approx(1 / 3, abs=1e-6)
    scores = raw_scores(POSITIVE + NEGATIVE)
    labels = [v.label for v in score_texts(POSITIVE + NEGATIVE)]
    for score, label in zip(scores, labels, strict=True):
        expected = (
            "neutral"
            if abs(score) < model.neutral_band
            else ("positive" if score > 0 else "negative")
        )
        assert label == expected
