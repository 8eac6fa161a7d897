"""Words the renderers print, in English and Vietnamese."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "line_of_interaction": ("Line of interaction", "Đường tương tác"),
    "line_of_visibility": ("Line of visibility", "Đường ranh giới hiển thị"),
    "line_of_internal": ("Line of internal interaction", "Đường tương tác nội bộ"),
    "emotion_top": ("+2 delighted", "+2 rất hài lòng"),
    "emotion_mid": ("0 neutral", "0 bình thường"),
    "emotion_bottom": ("−2 frustrated", "−2 rất khó chịu"),
    "vision": ("Vision", "Tầm nhìn"),
    "goals": ("Goals", "Mục tiêu"),
    "personas": ("Personas", "Chân dung khách hàng"),
    "stage_model": ("Stage model", "Mô hình giai đoạn"),
    "reviewed": ("Reviewed", "Đánh giá lại"),
    "owner": ("Owner", "Phụ trách"),
    "legend": ("Legend", "Chú giải"),
    "legend_pain": ("pain point", "điểm đau"),
    "legend_pleasure": ("pleasure point", "điểm hài lòng"),
    "legend_opportunity": ("opportunity", "cơ hội"),
    "legend_scale": ("emotions on a scale of −2 to +2", "cảm xúc theo thang −2 đến +2"),
    "age": ("Age", "Tuổi"),
    "income": ("Income", "Thu nhập"),
    "per_month": ("/ month", "/ tháng"),
    "p_goals": ("Goals", "Mục tiêu"),
    "p_needs": ("Needs", "Nhu cầu"),
    "p_pain_points": ("Pain points", "Điểm đau"),
    "p_motivations": ("Motivations", "Động lực"),
    "p_shopping": ("Shopping preferences", "Thói quen mua sắm"),
    "p_sources": ("Information sources", "Nguồn thông tin"),
    "p_personality": ("Personality", "Tính cách"),
    "p_emotional": ("Emotional side", "Cảm xúc"),
    "p_channels": ("Channels", "Kênh sử dụng"),
    "p_live": ("In the data now", "Trong dữ liệu hiện tại"),
    "p_live_size": ("customers", "khách hàng"),
    "p_live_order": ("Typical order", "Đơn điển hình"),
    "p_live_products": ("Top products", "Sản phẩm nổi bật"),
    "p_biography": ("Biography", "Tiểu sử"),
    "p_lifestyle": ("Lifestyle", "Lối sống"),
    "made_with": ("Made with JourneyScope", "Tạo bằng JourneyScope"),
}


def label(key: str, lang: str) -> str:
    en, vi = LABELS[key]
    return vi if lang == "vi" else en
