"""Text normalisation shared by the sentiment model and the aspect rules.

Feedback arrives in every spelling: with or without Vietnamese diacritics, in decomposed
Unicode (macOS, some phones), in teen-code (``ko``, ``dc``), with emoji and stretched letters
(``đẹppp``). Both the model and the aspect rules see one canonical form: Unicode NFC,
lower-cased, short forms expanded, emoji turned into two polarity words, punctuation split off
as tokens, single spaces. :func:`strip_diacritics` gives the unaccented view of it, so text
typed without diacritics meets the same features as text typed with them.
"""

from __future__ import annotations

import re
import unicodedata

from journeyscope.feedback.lexicon import (
    NEGATIVE_EMOJI,
    NEGATIVE_EMOTICONS,
    NEGATIVE_WORD,
    POSITIVE_EMOJI,
    POSITIVE_EMOTICONS,
    POSITIVE_WORD,
    TEEN_CODE,
)


def _strip_table() -> dict[int, str]:
    """Every precomposed Latin letter with marks (Vietnamese included) -> its base letter."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0x00C0, 0x1F00):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[code] = base
    for code in range(0x0300, 0x0370):  # stray combining marks left after NFC
        table[code] = ""
    return table


_STRIP = _strip_table()
_EMOJI = {ord(c): f" {POSITIVE_WORD} " for c in POSITIVE_EMOJI}
_EMOJI.update({ord(c): f" {NEGATIVE_WORD} " for c in NEGATIVE_EMOJI})
_EMOJI[0xFE0F] = ""  # variation selector after ❤ and friends
_EMOJI[ord("_")] = " "  # word-segmented corpora join syllables with "_"


def _emoticon_pattern() -> re.Pattern[str]:
    faces = sorted([*POSITIVE_EMOTICONS, *NEGATIVE_EMOTICONS], key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in faces))


_EMOTICONS = _emoticon_pattern()
_EMOTICON_WORD = dict.fromkeys(POSITIVE_EMOTICONS, POSITIVE_WORD) | dict.fromkeys(
    NEGATIVE_EMOTICONS, NEGATIVE_WORD
)
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_TOKENS = re.compile(r"\w+|[^\w\s]")
_VI_LETTERS = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
_VI_WORDS = frozenset(
    [
        "khong",
        "duoc",
        "hang",
        "san",
        "pham",
        "nhanh",
        "giao",
        "shop",
        "mua",
        "rat",
        "qua",
        "tot",
        "dep",
        "nhung",
        "nhu",
        "cung",
        "chat",
        "luong",
        "minh",
        "roi",
        "lam",
        "voi",
        "gia",
        "ao",
        "vai",
        "mau",
        "nay",
        "thi",
        "la",
        "co",
        "va",
        "cho",
        "nhe",
        "nha",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "is",
        "and",
        "it",
        "this",
        "was",
        "not",
        "very",
        "good",
        "bad",
        "great",
        "i",
        "you",
        "for",
        "with",
        "of",
        "to",
        "my",
        "but",
        "are",
        "product",
        "item",
        "delivery",
        "fast",
        "slow",
        "quality",
        "love",
        "would",
    ]
)


def _emoticon_word(match: re.Match[str]) -> str:
    return f" {_EMOTICON_WORD[match.group(0)]} "


def normalise(text: str) -> str:
    """The canonical form both the model and the aspect rules read (see the module doc)."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _EMOTICONS.sub(_emoticon_word, text).translate(_EMOJI)
    text = _STRETCHED.sub(r"\1", text)
    return " ".join([TEEN_CODE.get(tok, tok) for tok in _TOKENS.findall(text)])


def strip_diacritics(text: str) -> str:
    """``giao hàng nhanh`` -> ``giao hang nhanh``; ``đ`` -> ``d``."""
    return text.translate(_STRIP)


def has_diacritics(text: str) -> bool:
    """Whether a normalised text carries any Vietnamese letter with marks."""
    return _VI_LETTERS.search(text) is not None


def detect_language(normalised: str) -> str:
    """``vi`` or ``en`` for a normalised text: Vietnamese letters decide at once; otherwise
    the commoner of a few everyday words of each language (ties and empty text: ``vi``,
    the first language of the product)."""
    if has_diacritics(normalised):
        return "vi"
    words = normalised.split()
    vi = sum(w in _VI_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return "en" if en > vi else "vi"
