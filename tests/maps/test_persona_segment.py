"""A persona may carry a segment (a rule, or a workspace segment's name) beside the free
text it always had; its card then draws the segment's live numbers handed to it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from journeyscope.maps.personas import Persona
from journeyscope.render.persona_card import LiveSegment, live_lines, persona_card_svg


def test_segment_text_rule_and_name() -> None:
    plain = Persona.model_validate({"id": "a", "name": "A", "segment": "Văn phòng, 25-35"})
    assert plain.segment == "Văn phòng, 25-35" and plain.segment_rule is None
    ruled = Persona.model_validate({"id": "b", "name": "B", "segment_rule": "orders >= 2"})
    assert ruled.segment_rule == "orders >= 2"
    named = Persona.model_validate({"id": "c", "name": "C", "segment_name": "vip"})
    assert named.segment_name == "vip"
    with pytest.raises(ValidationError, match="not both"):
        Persona.model_validate(
            {"id": "d", "name": "D", "segment_rule": "orders >= 2", "segment_name": "vip"}
        )
    with pytest.raises(ValidationError):
        Persona.model_validate({"id": "e", "name": "E", "segment_name": "Khách VIP"})


def test_card_draws_the_live_numbers() -> None:
    persona = Persona.model_validate({"id": "lan", "name": "Lan", "channels": ["shopee"]})
    live = LiveSegment(
        customers=1234,
        share=0.061,
        channels=(("shopee", 0.73), ("lazada", 0.39)),
        typical_order=1_500_000,
        products=("túi xách", "ví", "giày", "mũ"),
    )
    assert live_lines(live, "vi") == [
        "1.234 khách hàng · 6,1 %",
        "Đơn điển hình 1,5 triệu ₫",
        "Shopee 73 % · Lazada 39 %",
        "Sản phẩm nổi bật: túi xách, ví, giày",
    ]
    svg = persona_card_svg(persona, "en", live=live)
    assert "1,234 customers · 6.1 %" in svg and "Typical order VND 1.5M" in svg
    assert "In the data now" not in persona_card_svg(persona, "en")
