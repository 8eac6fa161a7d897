"""The channel catalogue maps touchpoints use: a stable id, names in two languages and a badge."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    id: str
    en: str
    vi: str
    badge: str  # up to 2 characters drawn in the icon
    color: str
    group: str  # online, offline, marketplace, messaging, ads, service


CHANNELS: dict[str, Channel] = {
    c.id: c
    for c in [
        Channel("web", "Website", "Website", "W", "#2563eb", "online"),
        Channel("app", "Mobile app", "Ứng dụng", "A", "#7c3aed", "online"),
        Channel("store", "Store", "Cửa hàng", "CH", "#0f766e", "offline"),
        Channel("shopee", "Shopee", "Shopee", "S", "#ee4d2d", "marketplace"),
        Channel("lazada", "Lazada", "Lazada", "L", "#0f146d", "marketplace"),
        Channel("tiktok_shop", "TikTok Shop", "TikTok Shop", "T", "#111827", "marketplace"),
        Channel("hotline", "Hotline", "Tổng đài", "☎", "#b45309", "service"),
        Channel("email", "Email", "Email", "@", "#475569", "messaging"),
        Channel("sms", "SMS", "SMS", "SM", "#64748b", "messaging"),
        Channel("zalo", "Zalo / ZNS", "Zalo / ZNS", "Z", "#0068ff", "messaging"),
        Channel("facebook", "Facebook", "Facebook", "f", "#1877f2", "social"),
        Channel("instagram", "Instagram", "Instagram", "IG", "#c13584", "social"),
        Channel("tiktok", "TikTok", "TikTok", "♪", "#000000", "social"),
        Channel("youtube", "YouTube", "YouTube", "▶", "#ff0000", "social"),
        Channel("google_ads", "Google Ads", "Quảng cáo Google", "G", "#4285f4", "ads"),
        Channel("search", "Search / SEO", "Tìm kiếm / SEO", "SE", "#16a34a", "online"),
        Channel("referral", "Referral", "Giới thiệu", "R", "#db2777", "offline"),
        Channel("sales", "Sales team", "Đội bán hàng", "NV", "#9333ea", "service"),
        Channel(
            "customer_service",
            "Customer service",
            "Chăm sóc khách hàng",
            "CS",
            "#ca8a04",
            "service",
        ),
        Channel("delivery", "Delivery / COD", "Giao hàng / COD", "D", "#0891b2", "offline"),
        Channel("event", "Event / fair", "Sự kiện / hội chợ", "E", "#be123c", "offline"),
        Channel("print", "Print / signage", "Ấn phẩm / biển hiệu", "P", "#57534e", "offline"),
        Channel("word_of_mouth", "Word of mouth", "Truyền miệng", "WM", "#a16207", "offline"),
        Channel("survey", "Survey", "Khảo sát", "KS", "#0d9488", "service"),
        Channel("other", "Other", "Khác", "•", "#6b7280", "other"),
    ]
}


def channel(channel_id: str | None) -> Channel:
    """The catalogue entry for ``channel_id``; unknown ids get a neutral badge."""
    if channel_id and channel_id in CHANNELS:
        return CHANNELS[channel_id]
    label = channel_id or "other"
    return Channel(label, label, label, (label[:1] or "•").upper(), "#6b7280", "other")
