"""Bilingual text: every text field of a document is either plain or ``{en: ..., vi: ...}``."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

#: The longest one text of a document may be (in characters): a page of prose, far above a
#: real map's sentences, low enough that drawing every text stays fast and an Excel cell
#: (32,767 characters) can hold it.
MAX_TEXT_CHARS = 10_000

Bounded = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]


class Localized(BaseModel):
    """Text in English and/or Vietnamese; at least one of the two."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: Bounded | None = None
    vi: Bounded | None = None

    @model_validator(mode="after")
    def _one_language_at_least(self) -> Localized:
        if not (self.en or self.vi):
            raise ValueError("give the text in at least one language (en or vi)")
        return self


NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS)]


def _dict_or_str(value: object) -> str:
    """Route dicts to the structured branch and everything else to the plain one.

    A discriminator instead of a plain union keeps error messages about the branch the
    user meant, not about every branch pydantic tried.
    """
    return "Localized" if isinstance(value, dict | Localized) else "str"


Text = Annotated[
    Annotated[NonEmpty, Tag("str")] | Annotated[Localized, Tag("Localized")],
    Discriminator(_dict_or_str),
]
"""A text field: plain text, or a mapping of language code to text."""

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64),
    Field(description="An identifier: lowercase letters, digits, '-' and '_'"),
]


def localize(value: Text | None, lang: str = "en") -> str:
    """The text of ``value`` in ``lang``, falling back to the other language."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    first, second = (value.vi, value.en) if lang == "vi" else (value.en, value.vi)
    return first or second or ""


def languages_of(value: Text | None) -> set[str]:
    """Languages a text is written in; plain text counts as language-neutral (empty set)."""
    if value is None or isinstance(value, str):
        return set()
    return {lang for lang in ("en", "vi") if getattr(value, lang)}


def make_text(en: str | None, vi: str | None) -> Text:
    """Build the simplest text holding ``en`` and ``vi``: plain when they agree."""
    if en and vi and en != vi:
        return Localized(en=en, vi=vi)
    chosen = en or vi
    if not chosen:
        raise ValueError("empty text")
    return chosen


def flatten(value: Text, lang: str) -> str:
    """Reduce bilingual text to one language (used by `map new --lang`)."""
    return localize(value, lang)


def nfc(data: Any) -> Any:
    """``data`` with every text in Unicode NFC: one spelling of each Vietnamese letter
    whichever input method or system wrote it (maps compare, diff and search as one)."""
    if isinstance(data, str):
        return unicodedata.normalize("NFC", data)
    if isinstance(data, dict):
        return {nfc(k): nfc(v) for k, v in data.items()}
    if isinstance(data, list):
        return [nfc(v) for v in data]
    return data
