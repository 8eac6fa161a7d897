"""The Python channel grouping of collected events gives what import's SQL gives."""

from __future__ import annotations

import duckdb
import pytest

from journeyscope.collect import channels
from journeyscope.collect.segment import Message, channel_of
from journeyscope.events.grouping import grouping_sql
from journeyscope.events.query import Query

CASES = [
    ("tiktok_shop", "cpc", None),
    ("shopee", None, None),
    ("newsletter_march", "email", None),
    (None, "zns", None),
    ("zalo", "social", None),
    ("Facebook", "paid_social", None),
    ("google", "cpc", None),
    ("google", "organic", None),
    (None, "cpc", None),
    ("partnerx", "kol", None),
    (None, None, "https://www.google.com.vn/search?q=ao"),
    (None, None, "https://coccoc.com/search"),
    (None, None, "http://m.facebook.com/"),
    (None, None, "https://zalo.me/abc"),
    (None, None, "https://blog.example.vn/post"),
    (None, None, "android-app://com.google.android.gm"),
    (None, None, None),
    ("", "", ""),
    ("ig", None, "https://shopee.vn/x"),
]


@pytest.mark.parametrize(("source", "medium", "referrer"), CASES)
def test_python_twin_equals_import_sql(
    source: str | None, medium: str | None, referrer: str | None
) -> None:
    q = Query()
    expr = grouping_sql(q.bind, "$source", "$medium", "$referrer")
    params = {**q.params, "source": source, "medium": medium, "referrer": referrer}
    expected = duckdb.connect().execute(f"SELECT {expr}", params).fetchone()
    assert expected is not None
    assert channels.group(source, medium, referrer) == expected[0]


def test_an_explicit_channel_wins_then_grouping_then_context() -> None:
    def channel(**fields: object) -> str:
        return channel_of(
            Message.model_validate({"userId": "u", "type": "track", "event": "e", **fields})
        )

    assert (
        channel(properties={"channel": "store"}, context={"campaign": {"source": "fb"}}) == "store"
    )
    assert channel(context={"campaign": {"source": "fb"}, "channel": "mobile"}) == "facebook"
    assert channel(context={"page": {"referrer": "https://www.bing.com/"}}) == "search"
    assert channel(context={"channel": "mobile"}) == "app"
    assert channel(context={"channel": "browser"}) == "web"
    assert channel(context={"channel": "server"}) == "other"
