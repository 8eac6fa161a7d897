"""How big a journey map may be to be drawn: clear refusals instead of minutes of work.

Drawing costs about half a millisecond per item (wrapping, measuring, one SVG group each),
and Chromium's PDF and PNG grow with the drawing; these limits sit far above any map a
person reads, and are checked before anything is drawn. Document-level limits (file size,
alias expansion, text length) live with the parser (:mod:`journeyscope.maps.io`) and the
text model (:data:`journeyscope.maps.text.MAX_TEXT_CHARS`).
"""

from __future__ import annotations

from journeyscope.errors import DocumentError, Location
from journeyscope.maps.model import JourneyMap

MAX_STAGES = 100
MAX_LANES = 100
MAX_ITEMS = 20_000


def check_drawable(m: JourneyMap) -> None:
    """Raise a bilingual :class:`DocumentError` when ``m`` is too big to draw."""
    items = sum(len(entries) for lane in m.lanes for entries in lane.cells.values())
    for count, limit, en, vi in (
        (len(m.stages), MAX_STAGES, "stages", "giai đoạn"),
        (len(m.lanes), MAX_LANES, "lanes", "hàng"),
        (items, MAX_ITEMS, "items in its cells", "mục trong các ô"),
    ):
        if count > limit:
            raise DocumentError(
                f"the map has {count:,} {en}, more than the {limit:,} that can be drawn",
                f"bản đồ có {count:,} {vi}, nhiều hơn giới hạn {limit:,} có thể vẽ",
                location=Location(field=en.split()[0]),
                hint_en="split it into several maps (by stage group or by persona)",
                hint_vi="hãy tách thành nhiều bản đồ (theo nhóm giai đoạn hoặc theo chân dung)",
                code="map_too_large",
            )


__all__ = ["MAX_ITEMS", "MAX_LANES", "MAX_STAGES", "check_drawable"]
