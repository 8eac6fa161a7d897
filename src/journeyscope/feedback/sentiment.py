"""Offline sentiment: a linear model over hashed word and character n-grams, NumPy only.

Why this shape: it needs nothing beyond NumPy at run time, no model download, scores
thousands of texts a second on one core, and its weights are a single small array shipped
in the package (``model/sentiment-v1.npz``, trained by ``scripts/train_sentiment.py``).

Features of a text: its normalised form (:func:`journeyscope.feedback.text.normalise`) and
the same form without diacritics, each giving word uni- and bi-grams and character 2-5-grams
(spaces included). Every n-gram is hashed into ``2**n_bits`` buckets; a text's vector holds
``count / sqrt(total n-grams of the text)`` per bucket. Both views share the buckets, so
``giao hang nhanh`` lights up the unaccented half of what ``giao hàng nhanh`` does, and the
model (trained on both forms) scores them alike.

Hashing is vectorised over a whole batch: one polynomial prefix hash over the concatenated
code points gives any substring's hash in O(1) (``P**(b-1) * (G[b] - G[a])`` mod 2**64),
then a murmur finaliser spreads it. The training script calls :func:`featurise` too, so
training and scoring can never disagree about a feature.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.feedback.text import normalise, strip_diacritics

MODEL_DIR = Path(__file__).parent / "model"
MODEL_PATH = MODEL_DIR / "sentiment-v1.npz"
N_BITS = 20
CHAR_NGRAMS = (2, 3, 4, 5)
LABELS = ("negative", "neutral", "positive")

_P = 0x100000001B3  # FNV-64 prime: odd, so invertible mod 2**64
_Q = pow(_P, -1, 2**64)
_WORD_SALT = np.uint64(0x2545F4914F6CDD1D)
_SEP = "\x00"
_WORDY = re.compile(r"[^\W_]")
_BATCH_CHARS = 400_000  # characters hashed per step: bounds the temporaries to ~100 MB

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Sentiment:
    """One text's verdict: ``label`` from ``score`` (in [-1, 1]) and the neutral band."""

    label: str
    score: float


@dataclass(frozen=True)
class SentimentModel:
    """Hashed weights, bias and the neutral band (``|score| < neutral_band`` is neutral).

    The weights are already calibrated: ``sigmoid(w.x + b)`` is the probability of
    positive, and ``score = 2p - 1``."""

    weights: F32
    bias: float
    neutral_band: float
    n_bits: int = N_BITS
    meta: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------- hashing


@lru_cache(maxsize=4)
def _powers(base: int, length: int) -> U64:
    """base**0 .. base**(length-1) mod 2**64 (uint64 arithmetic wraps)."""
    steps = np.full(length, base, dtype=np.uint64)
    steps[0] = 1
    return np.cumprod(steps, dtype=np.uint64)


def _mix(h: U64, n_bits: int) -> I64:
    """An xor-shift and one odd multiply (Fibonacci hashing) spread the polynomial hash into
    the top bits, which become the bucket: cheaper than a full finaliser, on every n-gram."""
    h = (h ^ (h >> np.uint64(31))) * np.uint64(0x9E3779B97F4A7C15)
    return (h >> np.uint64(64 - n_bits)).astype(np.int64)


def _views(texts: Sequence[str]) -> list[str]:
    """Per text: its normalised form and that form without diacritics (``""`` when the two
    are the same: hashing it again would only double every count)."""
    views: list[str] = []
    for text in texts:
        norm = normalise(text)
        if _WORDY.search(norm) is None:  # ".", "...", "?": nothing to judge
            norm = ""
        plain = strip_diacritics(norm)
        views += (norm, "" if plain == norm else plain)  # "": same as the first, see featurise
    return views


def _hash_chunk(views: Sequence[str], n_bits: int) -> tuple[I64, I64]:
    """(text index within the chunk, bucket) for every n-gram of a chunk of views."""
    segments = [f" {v} " if v else "" for v in views]  # an empty text has no n-gram
    buffer = _SEP + _SEP.join(segments) + _SEP
    codes = np.frombuffer(buffer.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = codes.size
    length = 1 << max(size + 1, 2).bit_length()  # cache the power tables by size class
    p_pow, q_pow = _powers(_P, length), _powers(_Q, length)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(codes * q_pow[:size], out=prefix[1:])
    is_sep = codes == 0
    seps = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(is_sep, out=seps[1:])
    text_at = (seps[:-1] - 1) // 2  # two views per text; position 0 is the first separator

    def span(a: I64, b: I64) -> U64:
        return p_pow[b - 1] * (prefix[b] - prefix[a])

    docs: list[I64] = []
    buckets: list[I64] = []
    for n in CHAR_NGRAMS:
        start = np.arange(size - n + 1, dtype=np.int64)
        start = start[seps[start + n] == seps[start]]
        docs.append(text_at[start])
        buckets.append(_mix(span(start, start + n), n_bits))
    blank = is_sep | (codes == 32)
    begins = np.flatnonzero(~blank[1:] & blank[:-1]) + 1
    ends = np.flatnonzero(~blank[:-1] & blank[1:]) + 1
    docs.append(text_at[begins])
    buckets.append(_mix(span(begins, ends) ^ _WORD_SALT, n_bits))
    pair = seps[begins[1:]] == seps[begins[:-1]]
    docs.append(text_at[begins[:-1][pair]])
    buckets.append(_mix(span(begins[:-1][pair], ends[1:][pair]) ^ _WORD_SALT, n_bits))
    return np.concatenate(docs), np.concatenate(buckets)


def featurise(texts: Sequence[str], n_bits: int = N_BITS) -> tuple[I64, I64, F32]:
    """The sparse feature matrix of ``texts`` as (row, bucket, value) triples; duplicate
    (row, bucket) pairs are meant to be summed (SciPy's COO does; so does scoring)."""
    views = _views(texts)
    rows: list[I64] = []
    cols: list[I64] = []
    first = 0
    while first < len(texts):
        last, chars = first, 0
        while last < len(texts) and (chars < _BATCH_CHARS or last == first):
            chars += len(views[2 * last]) + len(views[2 * last + 1]) + 6
            last += 1
        docs, buckets = _hash_chunk(views[2 * first : 2 * last], n_bits)
        rows.append(docs + first)
        cols.append(buckets)
        first = last
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    # a text typed without diacritics has two identical views: the second was not hashed
    # (see _hash_chunk), its n-grams count twice instead
    twice = np.asarray([views[2 * i + 1] == "" and views[2 * i] != "" for i in range(len(texts))])
    times = np.where(twice, 2.0, 1.0).astype(np.float32)
    totals = np.bincount(row, minlength=len(texts)).astype(np.float32) * times
    values = (times / np.sqrt(np.maximum(totals, 1.0)))[row].astype(np.float32)
    return row, col, values


# ------------------------------------------------------------------------------- scoring


def raw_scores(texts: Sequence[str], model: SentimentModel | None = None) -> F32:
    """Scores in [-1, 1] (``2 * P(positive) - 1``); a text with no letters scores 0."""
    model = model or load_model()
    row, col, values = featurise(texts, model.n_bits)
    weighted = np.bincount(row, weights=values * model.weights[col], minlength=len(texts))
    logits = weighted.astype(np.float64) + model.bias
    empty = np.bincount(row, minlength=len(texts)) == 0
    scores = np.tanh(logits / 2.0).astype(np.float32)  # = 2 * sigmoid(logit) - 1
    scores[empty] = 0.0
    return scores


def label_of(score: float, neutral_band: float) -> str:
    """``neutral`` inside the band around 0, else the sign's label."""
    if abs(score) < neutral_band:
        return "neutral"
    return "positive" if score > 0 else "negative"


def score_texts(texts: Sequence[str], model: SentimentModel | None = None) -> list[Sentiment]:
    """Label and score every text, in input order."""
    model = model or load_model()
    return [
        Sentiment(label_of(float(s), model.neutral_band), round(float(s), 4))
        for s in raw_scores(texts, model)
    ]


# ---------------------------------------------------------------------------- model file


def save_model(model: SentimentModel, path: Path) -> None:
    """Write the weights (float16: half the size, and scores move by < 1e-3) and the
    sidecar JSON beside them (``.json``: training data, licence, date, figures)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            weights=model.weights.astype(np.float16),
            bias=np.float64(model.bias),
            neutral_band=np.float64(model.neutral_band),
            n_bits=np.int64(model.n_bits),
        )
    sidecar = path.with_suffix(".json")
    sidecar.write_text(json.dumps(model.meta, ensure_ascii=False, indent=2) + "\n", "utf-8")


def read_model(path: Path) -> SentimentModel:
    """A model file written by :func:`save_model` (or a located error saying what is wrong)."""
    if not path.is_file():
        raise NotFound(
            f"no sentiment model at {path}",
            f"không có mô hình cảm xúc tại {path}",
            location=Location(file=str(path)),
            hint_en="reinstall journeyscope, or re-run scripts/train_sentiment.py",
            hint_vi="cài lại journeyscope, hoặc chạy lại scripts/train_sentiment.py",
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            weights = data["weights"].astype(np.float32)
            n_bits = int(data["n_bits"])
            bias, band = float(data["bias"]), float(data["neutral_band"])
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(
            f"not a sentiment model file: {exc}",
            f"không phải tệp mô hình cảm xúc: {exc}",
            location=Location(file=str(path)),
        ) from exc
    if weights.shape != (1 << n_bits,):
        raise InputError(
            f"model weights have shape {weights.shape}, expected ({1 << n_bits},)",
            f"trọng số mô hình có kích thước {weights.shape}, cần ({1 << n_bits},)",
            location=Location(file=str(path)),
        )
    sidecar = path.with_suffix(".json")
    meta = json.loads(sidecar.read_text("utf-8")) if sidecar.is_file() else {}
    return SentimentModel(weights, bias, band, n_bits, meta)


@lru_cache(maxsize=1)
def load_model() -> SentimentModel:
    """The model shipped in the package, read once per process."""
    return read_model(MODEL_PATH)


__all__ = [
    "LABELS",
    "MODEL_PATH",
    "Sentiment",
    "SentimentModel",
    "featurise",
    "label_of",
    "load_model",
    "raw_scores",
    "read_model",
    "save_model",
    "score_texts",
]
