"""The shipped model file: readable, small, licensed for shipping, packaged, round-trips."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from journeyscope.errors import InputError, NotFound
from journeyscope.feedback.sentiment import (
    MODEL_PATH,
    SentimentModel,
    load_model,
    raw_scores,
    read_model,
    save_model,
)

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["giao hàng nhanh", "hàng lỗi", "ok", "Great product"]


def test_shipped_model_is_small_and_names_its_training_data() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    meta = json.loads(MODEL_PATH.with_suffix(".json").read_text("utf-8"))
    licences = {d["licence"] for d in meta["training_data"]}
    assert licences <= {"Apache-2.0", "CC BY 4.0"}
    text = json.dumps(meta).lower()
    for measure_only in ("shopee", "vlsp", "uit", "sentiwordnet"):
        assert measure_only not in text
    assert meta["trained"]


def test_model_files_are_package_data() -> None:
    """The wheel carries the model: pyproject's package-data patterns match both files."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["journeyscope"]
    package = ROOT / "src" / "journeyscope"
    for path in (MODEL_PATH, MODEL_PATH.with_suffix(".json")):
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_round_trip(tmp_path: Path) -> None:
    model = load_model()
    copy = SentimentModel(
        model.weights, model.bias, model.neutral_band, model.n_bits, {"note": "copy"}
    )
    path = tmp_path / "m.npz"
    save_model(copy, path)
    again = read_model(path)
    assert again.meta == {"note": "copy"}
    assert again.neutral_band == model.neutral_band and again.bias == model.bias
    assert np.array_equal(again.weights, model.weights)  # shipped weights are float16 already
    assert np.allclose(raw_scores(TEXTS, again), raw_scores(TEXTS, model))


def test_a_changed_model_changes_scores(tmp_path: Path) -> None:
    model = load_model()
    flipped = SentimentModel(-model.weights, -model.bias, model.neutral_band, model.n_bits)
    assert np.allclose(raw_scores(TEXTS, flipped), -raw_scores(TEXTS, model), atol=1e-5)


def test_bad_model_files(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        read_model(tmp_path / "none.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    with pytest.raises(InputError):
        read_model(junk)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, weights=np.zeros(10, dtype=np.float16), bias=0.0, neutral_band=0.3, n_bits=20)
    with pytest.raises(InputError, match="shape"):
        read_model(wrong)
