"""Normalisation: NFC, lower case, teen-code, emoji, stretched letters, diacritics."""

from __future__ import annotations

import unicodedata

from journeyscope.feedback.lexicon import NEGATIVE_WORD, POSITIVE_WORD
from journeyscope.feedback.text import detect_language, normalise, strip_diacritics


def test_teen_code_is_expanded_on_whole_tokens() -> None:
    assert normalise("Sp ok, ko dc như hình, 45k") == ("sản phẩm ok , không được như hình , 45k")


def test_emoji_and_emoticons_become_polarity_words() -> None:
    assert normalise("đẹp 😍❤️ :)") == f"đẹp {POSITIVE_WORD} {POSITIVE_WORD} {POSITIVE_WORD}"
    assert normalise("😡 :(") == f"{NEGATIVE_WORD} {NEGATIVE_WORD}"


def test_stretched_letters_shrink_but_numbers_stay() -> None:
    assert normalise("Đẹppppp quáááá okkkk 100000") == "đẹp quá ok 100000"


def test_word_segmentation_underscores_become_spaces() -> None:
    assert normalise("nhân_viên phục_vụ") == "nhân viên phục vụ"


def test_decomposed_input_is_composed() -> None:
    assert normalise(unicodedata.normalize("NFD", "Hàng Đẹp")) == "hàng đẹp"


def test_strip_diacritics() -> None:
    assert strip_diacritics("giao hàng nhanh, đóng gói cẩn thận") == (
        "giao hang nhanh, dong goi can than"
    )
    assert strip_diacritics("ỳ ỹ ự ổ ẫ") == "y y u o a"


def test_detect_language() -> None:
    assert detect_language(normalise("hàng đẹp")) == "vi"
    assert detect_language(normalise("hang dep, giao nhanh, shop nhiet tinh")) == "vi"
    assert detect_language(normalise("the product is very good")) == "en"
    assert detect_language("") == "vi"
