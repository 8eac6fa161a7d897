"""Attribution models on aggregated paths: rule-based, exact Markov, Shapley.

**Markov (order k).** Each path, with consecutive repeats of a channel collapsed (as
ChannelAttribution does), is a walk ``start → s1 → … → conversion | null`` where a state is
the last *k* channels. Transition probabilities are the counts of those moves over all
journeys. The conversion probability from ``start`` is solved exactly from the absorbing
chain, ``(I − Q) x = r``, not simulated. Removing a channel sends every state that holds it
to ``null``; its removal effect is ``1 − P(conversion without it) / P(conversion)``.
Conversions are shared in proportion to removal effects. For value, each move into
``conversion`` carries the mean value of the conversions that made it, and the same solve
gives expected value, hence value removal effects.

**Shapley.** With v(S) = conversions of journeys whose channels all lie in S, the Shapley
value of a channel is exactly each journey's conversions split equally over its *distinct*
channels (a journey is a unanimity game on its channel set); computed that way, it is exact
for any number of channels.

**Rule-based.** first, last, linear (equal per touch), position (40 % first, 40 % last, 20 %
shared by the middle; a two-touch path splits 50/50).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, identity
from scipy.sparse.linalg import spsolve

from journeyscope.analytics.attribution.paths import PathTable
from journeyscope.errors import InputError, Location

RULES = ("first", "last", "linear", "position")
MODELS = (*RULES, "time_decay", "markov", "shapley")


@dataclass
class Credits:
    model: str
    conversions: dict[str, float]
    value: dict[str, float]
    removal_effects: dict[str, float] | None = None
    removal_effects_value: dict[str, float] | None = None
    extra: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model,
            "conversions": _round(self.conversions),
            "value": _round(self.value),
        }
        if self.removal_effects is not None:
            out["removal_effects"] = _round(self.removal_effects, 6)
            out["removal_effects_value"] = _round(self.removal_effects_value or {}, 6)
        if self.extra:
            out.update(self.extra)
        return out


def _round(d: dict[str, float], digits: int = 4) -> dict[str, float]:
    return {k: round(v, digits) for k, v in sorted(d.items(), key=lambda kv: -kv[1])}


def attribute(
    table: PathTable, model: str, *, order: int = 1, position: tuple[float, float] = (0.4, 0.4)
) -> Credits:
    if model not in MODELS:
        raise InputError(
            f"unknown attribution model {model!r}",
            f"không có mô hình phân bổ {model!r}",
            location=Location(field="--model"),
            hint_en=f"choose one of: {', '.join(MODELS)}",
            hint_vi=f"chọn một trong: {', '.join(MODELS)}",
            code="invalid_option",
        )
    if model == "markov":
        return markov(table, order)
    if model == "shapley":
        return shapley(table)
    if model == "time_decay":
        raise InputError(
            "time_decay needs the times of the touches, which a path file does not have",
            "time_decay cần thời điểm của các điểm chạm, tệp đường đi không có",
            hint_en="run it on a workspace: journeyscope attribution -w DIR --model time_decay",
            hint_vi="chạy trên workspace: journeyscope attribution -w THƯ_MỤC --model time_decay",
            code="conflicting_options",
        )
    return rule_based(table, model, position)


def _weights(path: tuple[int, ...], model: str, position: tuple[float, float]) -> list[float]:
    n = len(path)
    if model == "first":
        return [1.0] + [0.0] * (n - 1)
    if model == "last":
        return [0.0] * (n - 1) + [1.0]
    if model == "linear" or n == 1:
        return [1.0 / n] * n
    first, last = position
    if n == 2:
        return [0.5, 0.5]
    middle = (1.0 - first - last) / (n - 2)
    return [first] + [middle] * (n - 2) + [last]


def rule_based(table: PathTable, model: str, position: tuple[float, float] = (0.4, 0.4)) -> Credits:
    conv: dict[str, float] = defaultdict(float)
    val: dict[str, float] = defaultdict(float)
    for path, c, v in zip(table.paths, table.conversions, table.value, strict=True):
        for ch, w in zip(path, _weights(path, model, position), strict=True):
            conv[table.channels[ch]] += c * w
            val[table.channels[ch]] += v * w
    return Credits(model, dict(conv), dict(val))


def shapley(table: PathTable) -> Credits:
    conv: dict[str, float] = defaultdict(float)
    val: dict[str, float] = defaultdict(float)
    for path, c, v in zip(table.paths, table.conversions, table.value, strict=True):
        distinct = set(path)
        for ch in distinct:
            conv[table.channels[ch]] += c / len(distinct)
            val[table.channels[ch]] += v / len(distinct)
    return Credits("shapley", dict(conv), dict(val))


def _flat(table: PathTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The paths that carry journeys, as one array of channels with consecutive repeats
    collapsed, each position's path index, and the kept paths' indexes."""
    walks = np.asarray(table.conversions, float) + np.asarray(table.nulls, float)
    kept = np.flatnonzero(walks > 0)
    paths = [table.paths[i] for i in kept]
    lengths = np.fromiter(map(len, paths), np.int64, count=len(paths))
    flat = np.fromiter(chain.from_iterable(paths), np.int64, count=int(lengths.sum()))
    owner = np.repeat(np.arange(len(paths)), lengths)
    keep = np.ones(len(flat), bool)
    keep[1:] = (flat[1:] != flat[:-1]) | (owner[1:] != owner[:-1])
    return flat[keep], owner[keep], kept


def _unique(values: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for integers in ``[0, bound)``: by
    counting, not sorting, when the range is small (order 1 always is)."""
    if bound > 1 << 22:
        found, inverse = np.unique(values, return_inverse=True)
        return found, inverse.reshape(-1)
    seen = np.zeros(bound, bool)
    seen[values] = True
    found = np.flatnonzero(seen)
    rank = np.cumsum(seen) - 1
    return found, rank[values]


class _Chain:
    """Transition counts between k-gram states, with start, conversion and null.

    Built with array operations: each position's state (its last k channels within the
    path) is encoded as one integer in base (channels + 1), so states and moves are found
    by ``np.unique`` rather than a Python loop over paths.
    """

    def __init__(self, table: PathTable, order: int) -> None:
        flat, owner, kept = _flat(table)
        base = len(table.channels) + 1
        code = flat + 1
        for j in range(1, order):
            back = np.zeros(len(flat), np.int64)
            back[j:] = np.where(owner[j:] == owner[:-j], flat[:-j] + 1, 0)
            code = code + back * base**j
        codes, sid = _unique(code, base**order)
        sid = sid + 1  # 0 is start
        size = len(codes) + 1
        self.states: dict[tuple[int, ...], int] = {(): 0}
        for i, packed in enumerate(codes.tolist()):
            digits, rest = [], packed
            while rest:
                digits.append(rest % base - 1)
                rest //= base
            self.states[tuple(reversed([d for d in digits if d >= 0]))] = i + 1
        conv = np.asarray(table.conversions, float)[kept]
        nulls = np.asarray(table.nulls, float)[kept]
        value = np.asarray(table.value, float)[kept]
        first = np.ones(len(flat), bool)
        first[1:] = owner[1:] != owner[:-1]
        prev = np.where(first, 0, np.roll(sid, 1))
        moves = prev * size + sid
        pairs, at = _unique(moves, size * size)
        counts = np.bincount(at, weights=(conv + nulls)[owner], minlength=len(pairs))
        last = np.ones(len(flat), bool)
        last[:-1] = owner[:-1] != owner[1:]
        end_state = sid[last]
        to_conv = np.bincount(end_state, weights=conv, minlength=size)
        to_null = np.bincount(end_state, weights=nulls, minlength=size)
        conv_value = np.bincount(end_state, weights=value, minlength=size)
        out = np.bincount(pairs // size, weights=counts, minlength=size) + to_conv + to_null
        out[out == 0] = 1.0
        rows, cols = pairs // size, pairs % size
        self.q = csr_matrix((counts / out[rows], (rows, cols)), shape=(size, size))
        self.r = to_conv / out
        # the mean value of the conversions that left each state
        mean_value = np.divide(conv_value, to_conv, out=np.zeros(size), where=to_conv > 0)
        self.r_value = self.r * mean_value

    def solve(self, removed: np.ndarray | None = None) -> tuple[float, float]:
        """P(conversion) and expected value from start, with ``removed`` states → null."""
        q, r, rv = self.q, self.r, self.r_value
        if removed is not None and removed.any():
            keep = (~removed).astype(float)
            q = csr_matrix(q.multiply(keep[None, :]))
            r = r * keep
            rv = rv * keep
        a = (identity(q.shape[0], format="csr") - q).tocsc()
        x = spsolve(a, np.column_stack([r, rv]))
        return float(x[0, 0]), float(x[0, 1])


def transition_rows(table: PathTable, order: int = 1) -> list[tuple[str, str, float]]:
    """The chain's transition probabilities (from, to, p) for audit; states are channel
    sequences joined by ' > ', plus (start), (conversion) and (null)."""
    chain = _Chain(table, order)
    names = {
        sid: " > ".join(table.channels[c] for c in state) if state else "(start)"
        for state, sid in chain.states.items()
    }
    rows = []
    q = chain.q.tocoo()
    for a, b, p in zip(q.row, q.col, q.data, strict=True):
        rows.append((names[int(a)], names[int(b)], float(p)))
    for sid, name in names.items():
        if chain.r[sid] > 0:
            rows.append((name, "(conversion)", float(chain.r[sid])))
        rest = 1.0 - float(chain.q.getrow(sid).sum()) - float(chain.r[sid])
        if rest > 1e-12:
            rows.append((name, "(null)", rest))
    return sorted(rows)


def markov(table: PathTable, order: int = 1) -> Credits:
    if order not in (1, 2, 3):
        raise InputError(
            f"Markov order must be 1, 2 or 3, got {order}",
            f"bậc Markov phải là 1, 2 hoặc 3, nhận {order}",
            location=Location(field="--order"),
            hint_en="--order 1 (the default) is what ChannelAttribution compares with",
            hint_vi="--order 1 (mặc định) là bậc để so với ChannelAttribution",
            code="invalid_option",
        )
    chain = _Chain(table, order)
    base, base_value = chain.solve()
    effects: dict[str, float] = {}
    effects_value: dict[str, float] = {}
    for ch, name in enumerate(table.channels):
        removed = np.array([ch in state for state in chain.states])
        p, v = chain.solve(removed)
        effects[name] = 1 - p / base if base else 0.0
        effects_value[name] = 1 - v / base_value if base_value else 0.0
    conv = _share(effects, table.total_conversions)
    val = _share(effects_value, table.total_value)
    return Credits(
        f"markov_{order}" if order > 1 else "markov",
        conv,
        val,
        effects,
        effects_value,
        {"conversion_probability": round(base, 6), "states": len(chain.states) + 2},
    )


def _share(effects: dict[str, float], total: float) -> dict[str, float]:
    s = sum(effects.values())
    return {k: (e / s * total if s else 0.0) for k, e in effects.items()}
