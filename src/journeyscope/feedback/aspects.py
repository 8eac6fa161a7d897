"""Which part of the experience a text talks about, so pains land on the right touchpoint.

Keyword rules, written by the project, in Vietnamese (matched with diacritics, and without
them when the text has none) and English. Rules read the normalised text
(:func:`journeyscope.feedback.text.normalise`), so teen-code is already expanded
(``ship`` -> ``giao hàng``, ``nv`` -> ``nhân viên``). Keywords match whole tokens: ``giá``
never fires inside ``giảm``, ``hàng`` is deliberately no keyword (it is in ``giao hàng``).
Unaccented keywords are tried only on texts typed without any diacritic, since stripping
makes some words collide (``giá`` price / ``gia`` family).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from journeyscope.feedback.text import has_diacritics, normalise, strip_diacritics

ASPECTS = ("delivery", "packaging", "product_quality", "price", "service", "payment", "app")
LANGS = ("vi", "en", "auto")

_VI: dict[str, tuple[str, ...]] = {
    "delivery": (
        "giao hàng",
        "giao",
        "vận chuyển",
        "người giao hàng",
        "nhận hàng",
        "chuyển phát",
        "hàng đến",
        "hàng tới",
        "đơn vị vận chuyển",
        "bưu tá",
        "trễ hẹn",
        "giao chậm",
        "giao nhanh",
        "shipper",
    ),
    "packaging": (
        "đóng gói",
        "gói hàng",
        "gói",
        "hộp",
        "bao bì",
        "chống sốc",
        "bọc",
        "túi nilon",
        "móp",
    ),
    "product_quality": (
        "chất lượng",
        "chất vải",
        "vải",
        "đường may",
        "form",
        "size",
        "kích thước",
        "màu",
        "màu sắc",
        "mô tả",
        "lỗi",
        "rách",
        "hỏng",
        "bền",
        "mỏng",
        "dày",
        "bung chỉ",
        "phai",
        "đẹp",
        "xấu",
        "xịn",
        "dởm",
        "nhái",
        "chính hãng",
        "sản phẩm",
        "hàng giả",
        "hàng lỗi",
    ),
    "price": (
        "giá",
        "giá cả",
        "giá tiền",
        "rẻ",
        "đắt",
        "đáng tiền",
        "khuyến mãi",
        "giảm giá",
        "voucher",
        "mã giảm giá",
        "phí giao hàng",
    ),
    "service": (
        "shop",
        "người bán",
        "nhân viên",
        "tư vấn",
        "phục vụ",
        "chăm sóc khách hàng",
        "thái độ",
        "trả lời",
        "phản hồi",
        "hỗ trợ",
        "chủ shop",
        "đổi trả",
        "hotline",
        "tổng đài",
        "nhiệt tình",
    ),
    "payment": (
        "thanh toán",
        "chuyển khoản",
        "trả tiền",
        "hoàn tiền",
        "cod",
        "thẻ",
        "ví điện tử",
        "momo",
        "zalopay",
        "trừ tiền",
        "hoá đơn",
        "hóa đơn",
    ),
    "app": (
        "ứng dụng",
        "app",
        "trang web",
        "website",
        "web",
        "giao diện",
        "đăng nhập",
        "lag",
        "treo",
        "cập nhật",
    ),
}
_EN: dict[str, tuple[str, ...]] = {
    "delivery": (
        "delivery",
        "delivered",
        "deliver",
        "shipping",
        "shipped",
        "courier",
        "arrived",
        "arrival",
        "late",
        "on time",
        "parcel",
        "shipment",
    ),
    "packaging": (
        "packaging",
        "packed",
        "package",
        "packing",
        "wrapped",
        "wrapping",
        "box",
        "bubble wrap",
        "dented",
    ),
    "product_quality": (
        "quality",
        "fabric",
        "material",
        "broken",
        "defective",
        "faulty",
        "size",
        "fit",
        "fits",
        "color",
        "colour",
        "durable",
        "works",
        "stopped working",
        "as described",
        "fake",
        "product",
        "item",
    ),
    "price": (
        "price",
        "cheap",
        "expensive",
        "worth",
        "value",
        "money",
        "overpriced",
        "discount",
        "cost",
        "voucher",
    ),
    "service": (
        "seller",
        "staff",
        "service",
        "support",
        "customer service",
        "reply",
        "replied",
        "rude",
        "helpful",
        "friendly",
        "shop",
        "store",
        "return",
    ),
    "payment": (
        "payment",
        "pay",
        "paid",
        "refund",
        "refunded",
        "charged",
        "card",
        "invoice",
        "cod",
        "cash on delivery",
    ),
    "app": (
        "app",
        "website",
        "site",
        "login",
        "log in",
        "interface",
        "crashed",
        "crash",
        "checkout",
        "online",
    ),
}


def _pattern(
    words: Iterable[str], not_after: dict[str, tuple[str, ...]] | None = None
) -> re.Pattern[str]:
    """Whole tokens of a space-tokenised text; longest keyword first. ``not_after``: words
    that are no keyword right after one of these words (``loi`` in ``tra loi``)."""

    def alternative(word: str) -> str:
        guards = "".join(f"(?<!{re.escape(g)} )" for g in (not_after or {}).get(word, ()))
        return guards + re.escape(word)

    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile(rf"(?<!\S)(?:{'|'.join(alternative(w) for w in ordered)})(?!\S)")


def _normalised_words(words: Iterable[str]) -> list[str]:
    return [normalise(w) for w in words]


_VI_RULES = {a: _pattern(_normalised_words(ws)) for a, ws in _VI.items()}
# unaccented keywords that are another common word: "the" (thẻ), "day" (dày), "dat" (đắt /
# đặt hàng = to order)
_PLAIN_SKIP = frozenset({"the", "day", "dat"})
# unaccented keywords that are another word after these: "tra loi" (trả lời, to answer) is
# no "loi" (lỗi, a defect)
_PLAIN_NOT_AFTER: dict[str, tuple[str, ...]] = {"loi": ("tra",)}
_VI_PLAIN_RULES = {
    a: _pattern(
        (p for p in (strip_diacritics(w) for w in _normalised_words(ws)) if p not in _PLAIN_SKIP),
        _PLAIN_NOT_AFTER,
    )
    for a, ws in _VI.items()
}
_EN_RULES = {a: _pattern(_normalised_words(ws)) for a, ws in _EN.items()}


def aspects_of(text: str, lang: str = "auto") -> list[str]:
    """The aspects a text mentions, in :data:`ASPECTS` order; ``lang`` picks the rules
    (``auto``: Vietnamese and English both, for mixed texts like "ship nhanh, good")."""
    norm = normalise(text)
    rules: list[dict[str, re.Pattern[str]]] = []
    if lang in ("vi", "auto"):
        rules.append(_VI_RULES)
        # typed without diacritics (teen-code expansion may have added some: tot -> tốt)
        if not has_diacritics(unicodedata.normalize("NFC", text).lower()):
            rules.append(_VI_PLAIN_RULES)
    if lang in ("en", "auto"):
        rules.append(_EN_RULES)
    return [a for a in ASPECTS if any(r[a].search(norm) for r in rules)]


def aspects_of_all(texts: Sequence[str], lang: str = "auto") -> list[list[str]]:
    """:func:`aspects_of` for every text, in input order."""
    return [aspects_of(t, lang) for t in texts]


__all__ = ["ASPECTS", "LANGS", "aspects_of", "aspects_of_all"]
