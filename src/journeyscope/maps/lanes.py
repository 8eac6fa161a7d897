"""Lane kinds: the rows of a journey map, with default titles in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LaneKind = Literal[
    "goals",
    "questions",
    "actions",
    "touchpoints",
    "channels",
    "services",
    "devices",
    "tasks",
    "motivations",
    "thoughts",
    "emotions",
    "pain_points",
    "pleasure_points",
    "predicted_pain_points",
    "opportunities",
    "owners",
    "kpis",
    "customer_actions",
    "frontstage",
    "backstage",
    "support",
    "evidence",
    "notes",
]


@dataclass(frozen=True)
class LaneInfo:
    en: str
    vi: str
    zone: str  # where the lane sits: customer, insight, business, blueprint zones


LANE_KINDS: dict[str, LaneInfo] = {
    "goals": LaneInfo("Customer goals", "Mục tiêu của khách hàng", "customer"),
    "questions": LaneInfo("Questions customers ask", "Câu hỏi khách hàng đặt ra", "customer"),
    "actions": LaneInfo("Actions", "Hành động", "customer"),
    "touchpoints": LaneInfo("Touchpoints", "Điểm chạm", "customer"),
    "channels": LaneInfo("Channels", "Kênh", "customer"),
    "services": LaneInfo("Services offered", "Dịch vụ cung cấp", "business"),
    "devices": LaneInfo("Devices", "Thiết bị", "customer"),
    "tasks": LaneInfo("Tasks", "Công việc", "customer"),
    "motivations": LaneInfo("Motivations", "Động lực", "customer"),
    "thoughts": LaneInfo("Thoughts", "Suy nghĩ", "insight"),
    "emotions": LaneInfo("Emotions", "Cảm xúc", "insight"),
    "pain_points": LaneInfo("Pain points", "Điểm đau", "insight"),
    "pleasure_points": LaneInfo("Pleasure points", "Điểm hài lòng", "insight"),
    "predicted_pain_points": LaneInfo("Predicted pain points", "Điểm đau dự kiến", "insight"),
    "opportunities": LaneInfo("Opportunities", "Cơ hội", "business"),
    "owners": LaneInfo("Owner / department", "Bộ phận phụ trách", "business"),
    "kpis": LaneInfo("KPIs", "Chỉ số KPI", "business"),
    "customer_actions": LaneInfo("Customer actions", "Hành động của khách hàng", "customer"),
    "frontstage": LaneInfo("Frontstage actions", "Hoạt động tiền phương", "frontstage"),
    "backstage": LaneInfo("Backstage actions", "Hoạt động hậu trường", "backstage"),
    "support": LaneInfo("Support processes", "Quy trình hỗ trợ", "support"),
    "evidence": LaneInfo("Physical evidence", "Bằng chứng hữu hình", "customer"),
    "notes": LaneInfo("Notes", "Ghi chú", "business"),
}

BLUEPRINT_TAGS = ("people", "technology", "policy", "process")
"""The four resources a service blueprint tags its actions with."""

TAG_NAMES = {
    "people": ("People", "Con người"),
    "technology": ("Technology", "Công nghệ"),
    "policy": ("Policy", "Chính sách"),
    "process": ("Process", "Quy trình"),
}
