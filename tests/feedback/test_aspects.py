"""Aspect rules: which part of the experience a text is about, vi (with and without
diacritics) and en."""

from __future__ import annotations

import pytest

from journeyscope.feedback.aspects import ASPECTS, aspects_of, aspects_of_all


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("giao hàng nhanh, sản phẩm tốt", ["delivery", "product_quality"]),
        ("giao hang nhanh san pham tot", ["delivery", "product_quality"]),
        ("ship nhanh, đóng gói cẩn thận, giá rẻ", ["delivery", "packaging", "price"]),
        ("hàng lỗi, shop không trả lời", ["product_quality", "service"]),
        ("nv tu van nhiet tinh", ["service"]),
        ("thanh toan xong bi tru tien 2 lan", ["payment"]),
        ("app bị treo khi đặt hàng", ["app"]),
        ("Fast delivery but the app crashed", ["delivery", "app"]),
        ("The seller was rude and the refund never came", ["service", "payment"]),
        ("ok", []),
    ],
)
def test_aspects(text: str, expected: list[str]) -> None:
    assert aspects_of(text) == expected


def test_unaccented_words_that_collide_are_not_read_as_aspects() -> None:
    assert aspects_of("the dress fits") == ["product_quality"]  # "the" is not thẻ (card)
    assert aspects_of("dat hang lan 2") == []  # đặt hàng (order), not đắt (expensive)
    assert aspects_of("giảm cân") == []  # "giá" only as a whole word
    # "tra loi" is trả lời (to answer), not lỗi (a defect); "hang bi loi" still is one
    assert aspects_of("giao hang cham, shop ko tra loi") == ["delivery", "service"]
    assert aspects_of("hang bi loi") == ["product_quality"]


def test_language_picks_the_rules() -> None:
    text = "giao hàng nhanh, great price"
    assert aspects_of(text, "vi") == ["delivery"]
    assert aspects_of(text, "en") == ["price"]
    assert aspects_of(text, "auto") == ["delivery", "price"]


def test_all_texts_in_order_and_known_names() -> None:
    found = aspects_of_all(["đóng gói kỹ", "", "giá hợp lý"])
    assert found == [["packaging"], [], ["price"]]
    assert {a for f in found for a in f} <= set(ASPECTS)
