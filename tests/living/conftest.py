"""A map with one binding per metric, for the demo workspace (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

BOUND_MAP = """\
id: bound
type: current_state
title: {en: Bound map, vi: Bản đồ gắn dữ liệu}
language: en
stage_model: retail5
stages:
  - {id: awareness, name: Awareness}
  - {id: consideration, name: Consideration}
  - {id: purchase, name: Purchase}
lanes:
  - id: numbers
    kind: kpis
    cells:
      awareness:
        - metric: {name: stage_reach}
        - metric: {name: stage_conversion}
        - metric: {name: segment_share, where: "channel = zalo"}
        - metric: {name: nps}
      consideration:
        - metric: {name: stage_dropoff}
        - metric: {name: stage_time}
        - text: {en: Zalo reach, vi: Tiếp cận qua Zalo}
          metric: {name: stage_reach, where: "channel = zalo"}
      purchase:
        - metric: {name: touchpoint_conversion, touchpoint: "web:/cart"}
        - metric: {name: touchpoint_dropoff, touchpoint: "web:/cart"}
        - metric: {name: repeat_contact_rate, touchpoint: "hotline:delivery"}
        - metric: {name: average_rating, touchpoint: "zalo:zns_promo"}
        - metric: {name: sentiment}
"""


@pytest.fixture
def bound_map_file(tmp_path: Path) -> Path:
    path = tmp_path / "bound.yaml"
    path.write_text(BOUND_MAP, "utf-8")
    return path
