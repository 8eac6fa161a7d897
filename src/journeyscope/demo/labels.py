"""Words for the demo report: the demo's event names, touchpoints and headings in vi and en.

A marketer reads "Thêm vào giỏ", not ``add_to_cart``. Every event the demo generates has
an entry (a test checks the catalogue against the generated data); touchpoints are read
as ``channel:place`` and named from the channel and the place.
"""

from __future__ import annotations

from journeyscope.maps.channels import channel

EVENTS: dict[str, tuple[str, str]] = {
    "ad_impression": ("Ad shown", "Quảng cáo hiển thị"),
    "ad_click": ("Ad clicked", "Nhấp quảng cáo"),
    "product_view": ("Product viewed", "Xem sản phẩm"),
    "add_to_cart": ("Added to cart", "Thêm vào giỏ"),
    "checkout": ("Checkout", "Thanh toán"),
    "payment_error": ("Payment failed", "Lỗi thanh toán"),
    "purchase": ("Purchase", "Mua hàng"),
    "login": ("Logged in", "Đăng nhập"),
    "sign_up": ("Signed up", "Đăng ký thành viên"),
    "store_visit": ("Store visit", "Ghé cửa hàng"),
    "message_sent": ("Message sent", "Tin nhắn đã gửi"),
    "delivery_late": ("Delivery late", "Giao hàng trễ"),
    "order_delivered": ("Order delivered", "Đã giao hàng"),
    "review": ("Review", "Đánh giá"),
    "support_call": ("Call to the hotline", "Gọi tổng đài"),
    "survey_response": ("Survey answered", "Trả lời khảo sát"),
    "(end)": ("(journey ends)", "(hết hành trình)"),
}

PLACES: dict[str, tuple[str, str]] = {
    "/cart": ("cart", "giỏ hàng"),
    "/checkout": ("checkout", "trang thanh toán"),
    "/checkout/shipping-fee": ("shipping-fee page", "trang phí vận chuyển"),
    "/login": ("login", "đăng nhập"),
    "/order/success": ("order confirmed", "xác nhận đơn"),
    "zns_promo": ("ZNS promotion", "tin khuyến mãi ZNS"),
    "newsletter": ("newsletter", "bản tin"),
    "voucher": ("voucher", "mã giảm giá"),
    "delivery": ("delivery issue", "sự cố giao hàng"),
    "pos": ("till", "quầy thu ngân"),
    "Q1": ("District 1 store", "cửa hàng Quận 1"),
    "Q7": ("District 7 store", "cửa hàng Quận 7"),
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "my_pham": ("cosmetics", "mỹ phẩm"),
    "thoi_trang": ("fashion", "thời trang"),
    "me_va_be": ("mother & baby", "mẹ và bé"),
    "dien_gia_dung": ("home appliances", "điện gia dụng"),
    "tui_xach": ("handbags", "túi xách"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "vi" else pair[0]


def event_label(event: str, lang: str) -> str:
    """The event's name for people; an unknown event keeps its own name."""
    return pick(EVENTS[event], lang) if event in EVENTS else event


def channel_label(name: str, lang: str) -> str:
    info = channel(name)
    return info.vi if lang == "vi" else info.en


def touchpoint_label(touchpoint: str, lang: str) -> str:
    """``web:/checkout/shipping-fee`` → "Website · shipping-fee page"."""
    head, sep, place = touchpoint.partition(":")
    if not sep:
        return _campaign(touchpoint, lang)
    where = channel_label(head, lang)
    if place in PLACES:
        return f"{where} · {pick(PLACES[place], lang)}"
    if place in EVENTS:
        return f"{where} · {event_label(place, lang)}"
    if place.startswith("/p/") and place[3:] in CATEGORIES:
        product = "trang sản phẩm" if lang == "vi" else "product page"
        return f"{where} · {product} {pick(CATEGORIES[place[3:]], lang)}"
    return f"{where} · {place}"


def _campaign(name: str, lang: str) -> str:
    """``facebook_my_pham_2026`` → "Facebook · campaign cosmetics 2026"."""
    for ad in ("google_ads", "facebook", "tiktok"):
        if name.startswith(ad + "_"):
            rest = name[len(ad) + 1 :]
            topic, _, year = rest.rpartition("_")
            words = pick(CATEGORIES[topic], lang) if topic in CATEGORIES else topic
            if topic == "awareness":
                words = "nhận biết thương hiệu" if lang == "vi" else "brand awareness"
            campaign = "chiến dịch" if lang == "vi" else "campaign"
            return f"{channel_label(ad, lang)} · {campaign} {words} {year}".strip()
    return name
