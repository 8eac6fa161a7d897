"""Identifier normalisation as one table of rules, and its three forms derived from it.

Each identifier type's rules are a tuple of steps: character maps (:class:`Map`), regular
expression replacements (:class:`Sub`) and checks that name a problem (:class:`Require`,
:class:`Refuse`, :class:`Deny`, :class:`Repeated`). From that one table come the Python
function (:func:`apply`), the DuckDB SQL and the Spark columns (:mod:`.rules_engines`:
``duckdb_select``, ``spark_select``), so the engines cannot drift apart; a conformance
test runs all three on the messy values of ``tests/data/identity-corpus``.

The regular expressions use only what Python's ``re``, RE2 (DuckDB) and Java (Spark) read
alike: ASCII character classes, ``+ * ?``, groups, alternation, ``^`` and ``$``, no backslash
escapes — and they run after the first map has turned every line break into a space, so ``$``
means the end of the text in all three.

The one step not derived is the phone number (:class:`Phone`): ``phonenumbers`` decides in
Python; SQL answers the usual spellings of Vietnamese mobile numbers itself (the same answer,
which the tests check) and hands the rest to Python.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import phonenumbers

from journeyscope.events.schema import IDENTIFIER_TYPES

if TYPE_CHECKING:
    from journeyscope.events.workspace import IdentityConfig

PLACEHOLDER: Final = "placeholder"
SCIENTIFIC: Final = "a number in scientific notation (a spreadsheet may have rounded it)"

#: white space of every kind becomes a plain space; invisible characters are deleted
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
#: full-width forms (ＡＢＣ１２３＠) as typed with an East Asian keyboard -> ASCII
_FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def _fold_pairs() -> tuple[str, str]:
    """Upper-case letters of the Latin (Vietnamese included), Greek and Cyrillic blocks and
    their lower case, one character for one: the engines' own ``lower`` differ on the rest
    (Greek final sigma, dotted İ), a character map cannot."""
    src, dst = [], []
    blocks = (range(0x41, 0x5B), range(0xC0, 0x250), range(0x370, 0x530), range(0x1E00, 0x1F00))
    for block in blocks:
        for code in block:
            char = chr(code)
            low = char.lower()
            if unicodedata.category(char) == "Lu" and len(low) == 1 and low != char:
                src.append(char)
                dst.append(low)
    return "".join(src), "".join(dst)


@dataclass(frozen=True)
class Map:
    """Replace each character of ``src`` by the one at the same place in ``dst``; the
    characters of ``src`` beyond ``dst``'s length are deleted (``translate`` everywhere)."""

    src: str
    dst: str


@dataclass(frozen=True)
class Sub:
    """Replace every match of ``pattern`` by ``repl`` (plain text) — only when the whole
    value matches ``when``, if given."""

    pattern: str
    repl: str = ""
    when: str | None = None
    #: text every match contains (``at`` the start, the end, or anywhere): SQL looks for it
    #: before running the expression
    hint: str | None = None
    at: str = "anywhere"


@dataclass(frozen=True)
class Require:
    """The whole value must match ``pattern``; otherwise ``problem``."""

    pattern: str
    problem: str


@dataclass(frozen=True)
class Refuse:
    """The whole value must not match ``pattern``; otherwise ``problem``."""

    pattern: str
    problem: str
    #: texts one of which every match contains: SQL looks for them before the expression
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deny:
    """Values that are never identifiers: ``exact`` ones, and ``(prefix, suffix)`` for an
    entry with one ``*``; compared with the value case-folded (:data:`FOLD`)."""

    exact: tuple[str, ...]
    globs: tuple[tuple[str, str], ...] = ()
    problem: str = PLACEHOLDER


@dataclass(frozen=True)
class Repeated:
    """Digits only, one digit repeated at least ``least`` times: a placeholder."""

    least: int
    problem: str = PLACEHOLDER


@dataclass(frozen=True)
class Phone:
    """E.164 by ``phonenumbers``; then ``deny`` (E.164 values) and ``repeated`` (on the
    national number) apply to the number found."""

    region: str
    deny: Deny
    repeated: int


Step = Map | Sub | Require | Refuse | Deny | Repeated | Phone
Check = Require | Refuse | Deny | Repeated

CLEAN: Final = Map(_FULL_WIDTH + _SPACES + _INVISIBLE, _ASCII + " " * len(_SPACES))
FOLD: Final = Map(*_fold_pairs())
TRIM: Final = Sub("^ +| +$", hint=" ")
#: a spreadsheet's text marker ('17850), then the spaces it hid
APOSTROPHE: Final = Sub("^'+ *", hint="'", at="start")
EMAIL: Final = "[^@]+@[^@]+[.][^@]+"
EMPTY: Final = Refuse("", "empty")
COMMON: Final[tuple[Step, ...]] = (CLEAN, TRIM, APOSTROPHE, EMPTY)


# --- Python -------------------------------------------------------------------------------


def _py_map(step: Map) -> dict[int, int | None]:
    table: dict[int, int | None] = {
        ord(a): ord(b) for a, b in zip(step.src, step.dst, strict=False)
    }
    table.update({ord(a): None for a in step.src[len(step.dst) :]})
    return table


_TABLES: dict[Map, dict[int, int | None]] = {}


def _translate(text: str, step: Map) -> str:
    table = _TABLES.get(step)
    if table is None:
        table = _TABLES[step] = _py_map(step)
    return text.translate(table)


def fold(text: str) -> str:
    return _translate(text, FOLD)


def _py_bad(step: Check, value: str) -> bool:
    if isinstance(step, Require):
        return re.fullmatch(step.pattern, value) is None
    if isinstance(step, Refuse):
        return re.fullmatch(step.pattern, value) is not None
    if isinstance(step, Deny):
        folded = fold(value)
        return folded in step.exact or any(
            len(folded) >= len(p) + len(s) and folded.startswith(p) and folded.endswith(s)
            for p, s in step.globs
        )
    return (
        bool(step.least)
        and len(value) >= step.least
        and (re.fullmatch("[0-9]+", value) is not None and value.replace(value[0], "") == "")
    )


def apply(steps: Sequence[Step], raw: str) -> tuple[str | None, str | None]:
    """``(value, None)`` for a usable identifier, ``(None, problem)`` otherwise."""
    value = raw
    for step in steps:
        if isinstance(step, Map):
            value = _translate(value, step)
        elif isinstance(step, Sub):
            if step.when is None or re.fullmatch(step.when, value):
                value = re.sub(step.pattern, step.repl, value)
        elif isinstance(step, Phone):
            return _phone(step, value)
        elif _py_bad(step, value):
            return (value if step.problem == PLACEHOLDER else None), step.problem
    return value, None


def _phone(step: Phone, text: str) -> tuple[str | None, str | None]:
    try:
        number = phonenumbers.parse(text, step.region)
    except phonenumbers.NumberParseException:
        return None, "not a phone number"
    if not phonenumbers.is_valid_number(number):
        return None, "not a valid phone number"
    value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _py_bad(step.deny, value) or _py_bad(Repeated(step.repeated), str(number.national_number)):
        return value, PLACEHOLDER
    return value, None


# --- the table ------------------------------------------------------------------------------


@functools.cache
def vn_mobile_prefixes() -> tuple[str, ...]:
    """Three-digit national prefixes where every 9-digit number is valid for ``phonenumbers``.

    Asked of the installed ``phonenumbers`` rather than written down, so the SQL fast path
    can never disagree with it when its metadata changes.
    """
    prefixes = []
    for head in range(100, 1000):
        samples = (f"{head}000000", f"{head}999999", f"{head}123456", f"{head}507381")
        if all(phonenumbers.is_valid_number(phonenumbers.parse("+84" + s, None)) for s in samples):
            prefixes.append(str(head))
    return tuple(prefixes)


def _deny(entries: Sequence[str], prepare: Sequence[Step]) -> Deny:
    """A deny step from the configured entries, each spelled as the rules would spell it."""
    exact: set[str] = set()
    globs: set[tuple[str, str]] = set()
    for entry in entries:
        parts = [apply(prepare, part)[0] or "" for part in entry.split("*", 1)]
        parts = [fold(p) for p in parts]
        if len(parts) == 2:
            globs.add((parts[0], parts[1]))
        elif parts[0]:
            exact.add(parts[0])
    return Deny(tuple(sorted(exact)), tuple(sorted(globs)))


def _id_text(text: str) -> str:
    return _translate(text, CLEAN).strip(" ")


def build(
    region: str, deny: Mapping[str, Sequence[str]], repeated: int
) -> dict[str, tuple[Step, ...]]:
    """Every identifier type's steps, from the workspace's settings (docs/identity.md)."""
    bare = (CLEAN, TRIM)
    any_type = list(deny.get("any", ()))
    email_text: tuple[Step, ...] = (
        *bare,
        Sub(" +", hint=" "),
        FOLD,
        Sub("^mailto:", hint="mailto:", at="start"),
        Sub("[.]+$", hint=".", at="end"),
    )
    phone_entries = []
    for entry in deny.get("phone", ()):
        value, _ = apply((*bare, Phone(region, Deny(()), 0)), entry)
        if value:
            phone_entries.append(value)
    rules: dict[str, tuple[Step, ...]] = {
        "email": (
            *COMMON,
            _deny(any_type, bare),
            *email_text[len(bare) :],
            Require(EMAIL, "not an e-mail address"),
            _deny(deny.get("email", ()), email_text),
        ),
        "phone": (
            *COMMON,
            _deny(any_type, bare),
            Phone(region, Deny(tuple(sorted(set(phone_entries)))), repeated),
        ),
    }
    for id_type in IDENTIFIER_TYPES:
        if id_type not in rules:
            rules[id_type] = (
                *COMMON,
                Sub("[.]0+$", when="-?[0-9]+[.]0+", hint=".0"),
                Refuse("[0-9]+([.][0-9]+)?[eE][+-]?[0-9]+", SCIENTIFIC, hints=("e", "E")),
                _deny([*any_type, *deny.get(id_type, ())], (*bare, APOSTROPHE)),
                *((Repeated(repeated),) if repeated else ()),
            )
    return rules


@dataclass(frozen=True)
class Rules:
    """A workspace's normalisation rules: the steps per identifier type."""

    region: str
    steps: Mapping[str, tuple[Step, ...]]

    @classmethod
    def from_config(cls, config: IdentityConfig) -> Rules:
        region = config.default_region
        return cls(region, build(region, config.deny, config.deny_repeated_digits))

    def normalize(self, id_type: str, raw: str) -> tuple[str | None, str | None]:
        return apply(self.steps[id_type], raw)

    def fingerprint(self) -> str:
        """Changes whenever any rule does (or ``phonenumbers``' metadata): stored values
        normalised under other rules are then normalised again."""
        text = repr(sorted(self.steps.items())) + phonenumbers.__version__
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def default_rules(region: str = "VN") -> Rules:
    from journeyscope.events.workspace import IdentityConfig

    return Rules.from_config(IdentityConfig(default_region=region))
