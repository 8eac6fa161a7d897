"""Train the shipped sentiment model (src/journeyscope/feedback/model/sentiment-v1.npz).

    .venv/bin/python scripts/train_sentiment.py [--data ../shared/data] [--out PATH]

Trained ONLY on data whose licence allows shipping the result:

* ``vi-ntc-scv-foody`` (StreetCode VN / ntc-scv, Apache-2.0): Foody.vn reviews, pos/neg.
  ``train.csv`` fits the weights; ``valid.csv`` calibrates them and sets the neutral band;
  ``test.csv`` is reported. The source's word segmentation (``nhân_viên``) is undone by the
  normaliser (``_`` -> space). Every review is added a second time without diacritics, so
  the unaccented features alone must carry the decision.
* ``en-sentiment-labelled-sentences`` (Kotzias et al. 2015, UCI, CC BY 4.0): every line
  whose index within its file is not a multiple of 5 trains (weight 3: it is small); the
  multiples of 5 are held out for ``bench/bench_sentiment.py`` (:func:`english_held_out`).
* The project's own seed phrases (:mod:`journeyscope.feedback.seeds`, Apache-2.0 like the
  project): short shop verdicts, subjects x verdicts, written by hand, each also unaccented.

Never trained on ``vi-shopee-fashion-reviews``, ``vi-uit-vsfc``, ``vi-vlsp2016-sa`` or
VietSentiWordNet: their licences allow measuring only.

Model: scikit-learn's L2 logistic regression (lbfgs) over
:func:`journeyscope.feedback.sentiment.featurise`, the same features the product scores
with. Calibration: Platt scaling of the logit on the valid split, folded into the weights,
so ``2 * sigmoid(w.x + b) - 1`` is the shipped score. Neutral band: the training data has no
neutral class, so "neutral" means "the model cannot tell": texts of the valid split are
labelled neutral when the calibrated probability of positive lies within [1/3, 2/3], that
is ``|score| < 1/3``: neither side is twice as likely as the other.

Deterministic: no random split, lbfgs draws nothing at random, the data order is fixed and
the seed phrases use a fixed seed, so a re-run gives the same weights up to floating-point
summation order (not checked bit for bit; the zip inside the .npz also records the time).
scikit-learn is a training-only dependency (the ``dev`` extra); the product never imports it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from journeyscope.feedback.seeds import seed_phrases  # noqa: E402
from journeyscope.feedback.sentiment import (  # noqa: E402
    MODEL_PATH,
    N_BITS,
    SentimentModel,
    featurise,
    save_model,
)
from journeyscope.feedback.text import normalise, strip_diacritics  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
EN_FILES = ("amazon_cells_labelled.txt", "yelp_labelled.txt", "imdb_labelled.txt")
EN_WEIGHT = 3.0
C = 4.0
NEUTRAL_BAND = 1 / 3  # calibrated P(positive) within [1/3, 2/3]: neither side twice as likely
SEED_WEIGHT = 3.0  # the only shop-review material: small, so it counts three times
CHUNK = 4000


def read_foody(data: Path, split: str) -> tuple[list[str], list[int]]:
    """Texts and labels (1 positive, 0 negative) of one NTC-SCV split."""
    with (data / "vi-ntc-scv-foody" / f"{split}.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [int(r["label"] == "pos") for r in rows]


def _english_rows(data: Path) -> Iterator[tuple[int, str, int]]:
    for name in EN_FILES:
        path = data / "en-sentiment-labelled-sentences" / name
        lines = path.read_text("utf-8").split("\n")[1:]  # the mirror's header line
        for index, line in enumerate(x for x in lines if x.strip()):
            text, _, label = line.rpartition("\t")
            yield index, text.strip(), int(label)


def english_train(data: Path) -> tuple[list[str], list[int]]:
    """The English sentences that train: index within the file not a multiple of 5."""
    rows = [(t, y) for i, t, y in _english_rows(data) if i % 5]
    return [t for t, _ in rows], [y for _, y in rows]


def english_held_out(data: Path) -> tuple[list[str], list[int]]:
    """The English sentences held out for measuring: index a multiple of 5 (600 of 3,000)."""
    rows = [(t, y) for i, t, y in _english_rows(data) if i % 5 == 0]
    return [t for t, _ in rows], [y for _, y in rows]


def unaccented(texts: list[str]) -> list[str]:
    """The same texts as typed without diacritics (normalised first so ``_`` goes too)."""
    return [strip_diacritics(normalise(t)) for t in texts]


def matrix(texts: list[str]) -> sparse.csr_matrix:
    """The feature matrix, built in chunks so the COO temporaries stay small."""
    parts = []
    for first in range(0, len(texts), CHUNK):
        chunk = texts[first : first + CHUNK]
        row, col, val = featurise(chunk, N_BITS)
        coo = sparse.coo_matrix((val, (row, col)), shape=(len(chunk), 1 << N_BITS))
        parts.append(coo.tocsr())  # sums duplicate (row, bucket) pairs
    return sparse.vstack(parts, format="csr", dtype=np.float32)


def accuracy(scores: npt.NDArray[np.float64], labels: list[int]) -> float:
    return float(np.mean((scores > 0) == (np.asarray(labels) == 1)))


def train(data: Path) -> tuple[SentimentModel, dict[str, float]]:
    """Fit, calibrate, choose the band; returns the model and held-out figures."""
    vi_text, vi_y = read_foody(data, "train")
    en_text, en_y = english_train(data)
    seed_text, seed_y = seed_phrases()
    texts = [*vi_text, *unaccented(vi_text), *en_text, *seed_text, *unaccented(seed_text)]
    labels = np.asarray([*vi_y, *vi_y, *en_y, *seed_y, *seed_y])
    weight = np.asarray(
        [1.0] * (2 * len(vi_text))
        + [EN_WEIGHT] * len(en_text)
        + [SEED_WEIGHT] * (2 * len(seed_text))
    )
    print(f"training on {len(texts):,} texts ({len(en_text):,} English)", flush=True)
    fit = LogisticRegression(C=C, solver="lbfgs", max_iter=500, tol=1e-4)
    fit.fit(matrix(texts), labels, sample_weight=weight)
    w = fit.coef_[0].astype(np.float64)
    b = float(fit.intercept_[0])

    valid_text, valid_y = read_foody(data, "valid")
    both = [*valid_text, *unaccented(valid_text)]
    logit = np.asarray(matrix(both) @ w + b).ravel()
    platt = LogisticRegression(C=1e6, solver="lbfgs").fit(logit[:, None], [*valid_y, *valid_y])
    a, c = float(platt.coef_[0][0]), float(platt.intercept_[0])
    w, b = w * a, b * a + c
    band = NEUTRAL_BAND

    test_text, test_y = read_foody(data, "test")
    test_scores = np.tanh(np.asarray(matrix(test_text) @ w + b).ravel() / 2.0)
    plain_scores = np.tanh(np.asarray(matrix(unaccented(test_text)) @ w + b).ravel() / 2.0)
    figures = {
        "foody_test_accuracy": round(accuracy(test_scores, test_y), 4),
        "foody_test_accuracy_without_diacritics": round(accuracy(plain_scores, test_y), 4),
        "platt_a": round(a, 4),
        "platt_c": round(c, 4),
    }
    model = SentimentModel(w.astype(np.float32), b, band, N_BITS)
    return model, figures


def meta(model: SentimentModel, figures: dict[str, float]) -> dict[str, object]:
    """The sidecar JSON: what the model was trained on, under which licence, when."""
    return {
        "model": "journeyscope sentiment v1: logistic regression over hashed n-grams",
        "trained": dt.date.today().isoformat(),
        "script": "scripts/train_sentiment.py",
        "features": {
            "n_bits": model.n_bits,
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "views": ["normalised (NFC, lower, teen-code, emoji)", "without diacritics"],
        },
        "training_data": [
            {
                "name": "NTC-SCV (Foody.vn reviews), train split, plus an unaccented copy",
                "source": "StreetCode VN, github.com/congnghia0609/ntc-scv",
                "licence": "Apache-2.0",
            },
            {
                "name": "JourneyScope seed phrases (journeyscope.feedback.seeds), hand-written",
                "source": "this project",
                "licence": "Apache-2.0",
            },
            {
                "name": "Sentiment Labelled Sentences (amazon, yelp, imdb), 4 of 5 lines",
                "source": "Kotzias et al., KDD 2015; UCI Machine Learning Repository",
                "licence": "CC BY 4.0",
            },
        ],
        "calibration": "Platt scaling on NTC-SCV valid (with an unaccented copy)",
        "neutral_band": round(model.neutral_band, 4),
        "neutral_rule": "calibrated P(positive) within [1/3, 2/3], i.e. |score| < 1/3",
        "held_out": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared/data folder")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    args = parser.parse_args()
    model, figures = train(args.data)
    model = SentimentModel(
        model.weights, model.bias, model.neutral_band, model.n_bits, meta(model, figures)
    )
    save_model(model, args.out)
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB); band "
        f"{model.neutral_band:.3f}; {figures}"
    )


if __name__ == "__main__":
    main()
