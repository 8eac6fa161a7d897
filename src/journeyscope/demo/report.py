"""The demo report, one page per language, written for a marketer.

Every finding is a short section in plain words with its numbers, and says what the demo
data planted, so a reader can see the tool finds what is there. Event names, touchpoints
and channels are shown by their names in the page's language (:mod:`.labels`).
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from journeyscope.demo.analysis import analysis_html
from journeyscope.demo.labels import channel_label, pick
from journeyscope.i18n.formatting import format_number, format_vnd
from journeyscope.render.charts import bar_chart
from journeyscope.render.html_page import CSP, CSS

T: dict[str, tuple[str, str]] = {
    "title": (
        "JourneyScope — omnichannel retailer (demo data)",
        "JourneyScope — Nhà bán lẻ đa kênh (dữ liệu mô phỏng)",
    ),
    "intro": (
        "A simulated Vietnamese retailer: {people} customers shopping on the website, the "
        "app, Shopee, Lazada, TikTok Shop and in stores, reached by ads, Zalo, SMS and "
        "e-mail. Its {files} exports were imported as they are and stitched into customers. "
        "The data was made with a few facts hidden in it; the sections below show what "
        "JourneyScope finds, next to what was planted.",
        "Một nhà bán lẻ mô phỏng: {people} khách hàng mua trên website, ứng dụng, Shopee, "
        "Lazada, TikTok Shop và tại cửa hàng, được tiếp cận qua quảng cáo, Zalo, SMS và "
        "thư điện tử. {files} tệp xuất dữ liệu được nhập nguyên trạng rồi gộp thành khách "
        "hàng. Dữ liệu được tạo với một vài sự thật cài sẵn; các phần dưới đây cho thấy "
        "JourneyScope tìm ra gì, bên cạnh điều đã cài.",
    ),
    "other": ("Vietnamese version", "Bản tiếng Anh"),
    "events": ("Events", "Sự kiện"),
    "customers": ("Customers (stitched)", "Khách hàng (đã gộp)"),
    "identifiers": ("Identifiers", "Định danh"),
    "orders": ("Orders", "Đơn hàng"),
    "revenue": ("Revenue", "Doanh thu"),
    "unattributed": ("Events with no customer", "Sự kiện chưa gắn khách"),
    "findings": ("What the data shows", "Dữ liệu cho thấy gì"),
    "ok": ("matches what was planted", "khớp với điều đã cài"),
    "off": ("differs from what was planted", "khác với điều đã cài"),
    "bad_h": ("A checkout step that loses people", "Một bước thanh toán làm mất khách"),
    "bad": (
        "Found: the website's shipping-fee page loses {m} of the {n} customers who reach "
        "it (they do not buy within 2 days) — planted {p}. The app's checkout loses only "
        "{a} — planted {ap}. Fix the shipping-fee page first: show the fee earlier, or "
        "offer free shipping above an order value.",
        "Phát hiện: trang phí vận chuyển trên website làm mất {m} trong {n} khách đã đến "
        "trang này (không mua trong 2 ngày) — dữ liệu cài sẵn {p}. Trang thanh toán trên "
        "ứng dụng chỉ mất {a} — cài sẵn {ap}. Nên sửa trang phí vận chuyển trước: báo phí "
        "sớm hơn, hoặc miễn phí vận chuyển từ một giá trị đơn hàng.",
    ),
    "zalo_h": ("The channel that drives sales", "Kênh thúc đẩy doanh số"),
    "zalo": (
        "Found: after a Zalo ZNS message, {z} of the people who view a product add it to "
        "the cart, against {a} after an ad click — {x} times as often; planted: {p} times. "
        "Attribution agrees: of the channels that reach out to people (messages and ads), "
        "{top} earns the most credit for purchases — {c} of {t} purchases under the "
        "Markov model.",
        "Phát hiện: sau tin nhắn Zalo ZNS, {z} người xem sản phẩm thêm sản phẩm vào giỏ, so "
        "với {a} sau khi nhấp quảng cáo — gấp {x} lần; cài sẵn: gấp {p} lần. Phân bổ đóng "
        "góp cũng cho thấy: trong các kênh chủ động tiếp cận khách (tin nhắn và quảng "
        "cáo), {top} được ghi nhận nhiều nhất cho các đơn hàng — {c} trên {t} đơn theo mô "
        "hình Markov.",
    ),
    "attr_h": ("Who gets the credit for a purchase", "Kênh nào được ghi nhận cho đơn hàng"),
    "attr": (
        "Each column shares the {t} purchases among the channels touched in the 30 days "
        "before: first touch gives all to the first channel, last touch to the last, Markov "
        "to each channel by how many purchases would be lost without it.",
        "Mỗi cột chia {t} đơn hàng cho các kênh khách đã chạm trong 30 ngày trước đó: chạm "
        "đầu ghi nhận hết cho kênh đầu tiên, chạm cuối cho kênh cuối cùng, Markov cho mỗi "
        "kênh theo số đơn sẽ mất nếu thiếu kênh đó.",
    ),
    "channel": ("Channel", "Kênh"),
    "first": ("First touch", "Chạm đầu"),
    "last": ("Last touch", "Chạm cuối"),
    "markov": ("Markov", "Markov"),
    "direct": ("(direct: no touch before)", "(trực tiếp: không chạm kênh nào trước)"),
    "late_h": ("Late deliveries hurt", "Giao trễ làm mất lòng khách"),
    "late": (
        "Found: {n} deliveries came late. After a late delivery reviews average {lr} stars "
        "(planted {plr}); after an on-time one, {or} stars (planted {por}). {h} of late "
        "deliveries were followed by a call to the hotline within 2 days — planted {ph}. "
        "{cl} of the customers whose order came late were not seen again, against {co} after "
        "an on-time delivery. Planted: {pc} stop after a late order, against about {pco} "
        "otherwise — a gap too small to show in data of this size, where a returning "
        "shopper often comes back under an identifier not yet linked to them.",
        "Phát hiện: {n} đơn giao trễ. Sau một lần giao trễ, đánh giá trung bình {lr} sao "
        "(cài sẵn {plr}); sau một lần giao đúng hẹn, {or} sao (cài sẵn {por}). {h} lần giao "
        "trễ kéo theo cuộc gọi tổng đài trong vòng 2 ngày — cài sẵn {ph}. {cl} khách có đơn "
        "giao trễ không quay lại, so với {co} sau khi được giao đúng hẹn. Cài sẵn: {pc} ngừng "
        "mua sau một đơn giao trễ, so với khoảng {pco} trong trường hợp khác — chênh lệch "
        "quá nhỏ để thấy được trong dữ liệu cỡ này, vì khách quay lại thường dùng một định "
        "danh chưa được nối với họ.",
    ),
    "traps_h": ("Identifiers that would merge strangers", "Định danh có thể gộp nhầm người lạ"),
    "traps": (
        "Found: the store's shared sign-up tablet ({device}, seen with {dl} different "
        "phones) and the cashier's placeholder phone number ({phone}, on {pl} loyalty "
        "cards) were kept out of identity linking, as planted. Linked, each would have "
        "merged dozens of unrelated shoppers into one customer.",
        "Phát hiện: máy tính bảng đăng ký dùng chung tại cửa hàng ({device}, đi cùng {dl} "
        "số điện thoại khác nhau) và số điện thoại giữ chỗ của thu ngân ({phone}, trên {pl} "
        "thẻ thành viên) đã bị loại khỏi việc liên kết định danh, đúng như cài sẵn. Nếu "
        "được liên kết, mỗi định danh sẽ gộp hàng chục người mua không liên quan thành một "
        "khách hàng.",
    ),
    "count_h": (
        "Why {s} customers when {g} were simulated",
        "Vì sao có {s} khách hàng khi chỉ mô phỏng {g}",
    ),
    "count": (
        "{seen} of the {g} simulated customers left events with an identifier ({none} left "
        "none). {prospects} more people only saw or clicked ads: their ad cookies are "
        "profiles too. {split} people used identifiers that nothing in their data ties "
        "together — an ad cookie that never logged in, a phone number never seen next to "
        "their Zalo id — which adds {extra} profiles. The shared tablet and the placeholder "
        "phone were excluded by the guard, so they merge no one. {noid} events carry no "
        "identifier at all and belong to no customer. {seen} + {prospects} + {extra} = {s}: "
        "{verdict}",
        "{seen} trong {g} khách mô phỏng để lại sự kiện có định danh ({none} khách không để "
        "lại gì). Thêm {prospects} người chỉ xem hoặc nhấp quảng cáo: cookie quảng cáo của "
        "họ cũng là một hồ sơ. {split} người dùng những định danh mà dữ liệu không hề nối "
        "với nhau — cookie quảng cáo chưa từng đăng nhập, số điện thoại chưa từng đi cùng mã "
        "Zalo của họ — nên có thêm {extra} hồ sơ. Máy tính bảng dùng chung và số điện thoại "
        "giữ chỗ đã bị chặn nên không gộp ai. {noid} sự kiện không có định danh nào và không "
        "thuộc khách hàng nào. {seen} + {prospects} + {extra} = {s}: {verdict}",
    ),
    "count_ok": (
        "the stitching found every link the data allows.",
        "việc gộp đã tìm ra mọi liên kết mà dữ liệu cho phép.",
    ),
    "count_off": (
        "the data would allow {best} customers; the stitching made {s}.",
        "dữ liệu cho phép {best} khách hàng; việc gộp tạo ra {s}.",
    ),
    "by_channel": ("Events by channel", "Sự kiện theo kênh"),
    "by_revenue": ("Revenue by channel (VND)", "Doanh thu theo kênh (₫)"),
    "imports_h": ("Imported files", "Các tệp đã nhập"),
    "file": ("File", "Tệp"),
    "new": ("New events", "Sự kiện mới"),
    "dupes": ("Already there", "Đã có"),
    "rejected": ("Rejected", "Bị từ chối"),
    "maps_h": ("Journey maps", "Bản đồ hành trình"),
    "maps_from_data": (
        "The current-state map below is drawn from this shop's own data by {cmd} "
        "(stages, top touchpoints, what customers do, conversion, time, emotions "
        "from feedback, pains with their evidence); its numbers stay bound to the data. The "
        "list also has a day in the life drawn from the data, then the hand-drawn templates.",
        "Bản đồ hiện trạng dưới đây được vẽ từ chính dữ liệu của cửa hàng bằng {cmd} "
        "(giai đoạn, điểm chạm chính, khách làm gì, tỷ lệ chuyển đổi, thời gian, "
        "cảm xúc từ phản hồi, điểm đau kèm bằng chứng); các con số luôn gắn với dữ liệu. Danh "
        "sách còn có một ngày của khách hàng vẽ từ dữ liệu, rồi đến các mẫu vẽ tay.",
    ),
}


def tr(key: str, lang: str, **values: Any) -> str:
    text = pick(T[key], lang)
    return text.format(**values) if values else text


def pct(x: float | None, lang: str) -> str:
    """A share as a whole percentage, ``64%``; a dash when unknown."""
    if x is None or math.isnan(x):
        return "–"
    return f"{format_number(x * 100, lang, 0)}%"


def num(x: float | None, lang: str, decimals: int = 0) -> str:
    return "–" if x is None else format_number(x, lang, decimals)


def _card(label: str, value: str) -> str:
    return (
        f"<div class='card'><div class='v'>{escape(value)}</div>"
        f"<div class='l'>{escape(label)}</div></div>"
    )


def _finding(title: str, ok: bool, text: str, lang: str, codes: tuple[str, ...] = ()) -> str:
    """A finding's section; ``codes`` (identifiers quoted in the text) are set as code."""
    badge = "✓ " + tr("ok", lang) if ok else "✗ " + tr("off", lang)
    cls = "ok" if ok else "off"
    body = escape(text)
    for code in codes:
        body = body.replace(escape(code), f"<code>{escape(code)}</code>")
    return (
        f"<section class='finding'><h3>{escape(title)} "
        f"<span class='badge {cls}'>{escape(badge)}</span></h3><p>{body}</p></section>"
    )


def findings_html(f: dict[str, Any], lang: str) -> str:
    """One plain-language section per planted fact, with the numbers."""
    c, z, a, late, traps, count = (
        f[k] for k in ("checkout", "zalo", "attribution", "late", "traps", "count")
    )
    parts = [
        _finding(
            tr("bad_h", lang),
            c["bad"]["ok"] and c["app"]["ok"],
            tr(
                "bad",
                lang,
                m=pct(c["bad"]["measured"], lang),
                n=num(c["reached"], lang),
                p=pct(c["bad"]["planted"], lang),
                a=pct(c["app"]["measured"], lang),
                ap=pct(c["app"]["planted"], lang),
            ),
            lang,
        ),
        _finding(
            tr("zalo_h", lang),
            z["ok"] and a["ok"],
            tr(
                "zalo",
                lang,
                z=pct(z["after_zalo"], lang),
                a=pct(z["after_ad"], lang),
                x=num(z["measured"], lang, 1),
                p=num(z["planted"], lang, 1),
                top=channel_label(a["top_outreach"], lang),
                c=num(a["top_outreach_credit"], lang),
                t=num(a["total_conversions"], lang),
            ),
            lang,
        ),
        _finding(
            tr("late_h", lang),
            all(late[k]["ok"] for k in ("hotline", "late_rating", "on_time_rating")),
            tr(
                "late",
                lang,
                n=num(late["late_deliveries"], lang),
                lr=num(late["late_rating"]["measured"], lang, 1),
                plr=num(late["late_rating"]["planted"], lang, 1),
                h=pct(late["hotline"]["measured"], lang),
                ph=pct(late["hotline"]["planted"], lang),
                cl=pct(late["churn"]["late"], lang),
                co=pct(late["churn"]["on_time"], lang),
                pc=pct(late["churn"]["planted"], lang),
                pco=pct(late["churn"]["planted_on_time"], lang),
                por=num(late["on_time_rating"]["planted"], lang, 1),
                **{"or": num(late["on_time_rating"]["measured"], lang, 1)},
            ),
            lang,
        ),
        _finding(
            tr("traps_h", lang),
            traps["ok"],
            tr(
                "traps",
                lang,
                device=traps["shared_device"],
                dl=num(traps["device_links"], lang),
                phone=traps["placeholder_phone"],
                pl=num(traps["phone_links"], lang),
            ),
            lang,
            (traps["shared_device"], traps["placeholder_phone"]),
        ),
        _count_html(count, lang),
        _attribution_table(a, lang),
    ]
    return f"<section><h2>{escape(tr('findings', lang))}</h2>{''.join(parts)}</section>"


def _count_html(count: dict[str, Any], lang: str) -> str:
    verdict = (
        tr("count_ok", lang)
        if count["ok"]
        else tr(
            "count_off",
            lang,
            best=num(count["best_possible"], lang),
            s=num(count["stitched"], lang),
        )
    )
    text = tr(
        "count",
        lang,
        seen=num(count["customers_seen"], lang),
        g=num(count["generated"], lang),
        none=num(count["generated"] - count["customers_seen"], lang),
        prospects=num(count["prospects"], lang),
        split=num(count["split_people"], lang),
        extra=num(count["extra_profiles"], lang),
        noid=num(count["events_without_id"], lang),
        s=num(count["stitched"], lang),
        verdict=verdict,
    )
    title = tr("count_h", lang, s=num(count["stitched"], lang), g=num(count["generated"], lang))
    return _finding(title, count["ok"], text, lang)


def _attribution_table(a: dict[str, Any], lang: str) -> str:
    credits = a["credits"]
    channels = sorted(credits["markov"], key=lambda ch: -credits["markov"][ch])
    rows = "".join(
        f"<tr><td>{escape(tr('direct', lang) if ch == '(direct)' else channel_label(ch, lang))}"
        "</td>"
        + "".join(
            f"<td class='n'>{num(credits[m].get(ch, 0.0), lang, 1)}</td>"
            for m in ("first", "last", "markov")
        )
        + "</tr>"
        for ch in channels
    )
    head = "".join(
        f"<th>{escape(tr(k, lang))}</th>" for k in ("channel", "first", "last", "markov")
    )
    return (
        f"<section class='finding'><h3>{escape(tr('attr_h', lang))}</h3>"
        f"<p>{escape(tr('attr', lang, t=num(a['total_conversions'], lang)))}</p>"
        f"<table><tr>{head}</tr>{rows}</table></section>"
    )


REPORT_CSS = (
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px}"
    ".card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px;"
    "min-width:150px}.card .v{font-size:22px;font-weight:700}.card .l{color:#374151}"
    "section{background:#fff;margin:12px;padding:12px 16px;border:1px solid #e5e7eb;"
    "border-radius:8px;overflow-x:auto}section section{margin:12px 0;border:0;padding:0}"
    "p{max-width:860px}table{border-collapse:collapse}td,th{padding:4px 10px;"
    "border-bottom:1px solid #e5e7eb;text-align:left}td.n{text-align:right}"
    ".badge{font-size:12px;font-weight:600;border-radius:10px;padding:2px 8px;"
    "margin-left:6px;white-space:nowrap}.badge.ok{background:#dcfce7;color:#166534}"
    ".badge.off{background:#fee2e2;color:#991b1b}.map{overflow-x:auto;margin:8px 0}"
    ".explain{color:#374151}header a{font-size:.9rem}"
)


def _featured(svg: str) -> str:
    """The retail current-state map inline, so the page stands alone (our own escaped SVG)."""
    if not svg:
        return ""
    svg = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
    return f"<div class='map'>{svg}</div>"


def _map_link(item: dict[str, Any]) -> str:
    files = item["files"]
    target = next((f for f in files if f.endswith(".html")), files[-1])
    return f"<li><a href='maps/{escape(target)}'>{escape(item['title'])}</a></li>"


def report_html(s: dict[str, Any], lang: str, other_page: str = "") -> str:
    """The whole report in ``lang``; ``other_page`` links the other language's page."""
    ident = s["identity"]
    orders = sum(o["orders"] for o in s["orders"])
    revenue = sum(o["revenue"] or 0 for o in s["orders"])
    cards = "".join(
        [
            _card(tr("events", lang), num(s["events"], lang)),
            _card(tr("customers", lang), num(s["customers"], lang)),
            _card(tr("identifiers", lang), num(ident["identifiers"], lang)),
            _card(tr("orders", lang), num(orders, lang)),
            _card(tr("revenue", lang), format_vnd(revenue, lang)),
            _card(tr("unattributed", lang), num(ident["unattributed_events"], lang)),
        ]
    )
    by_channel = bar_chart(
        tr("by_channel", lang),
        [(channel_label(c["channel"], lang), c["events"]) for c in s["channels"]],
        lang=lang,
    )
    by_revenue = bar_chart(
        tr("by_revenue", lang),
        [(channel_label(o["channel"], lang), o["revenue"] or 0) for o in s["orders"]],
        color="#0f766e",
        lang=lang,
    )
    imports = "".join(
        f"<tr><td><code>{escape(i['file'])}</code></td><td class='n'>{num(i['accepted'], lang)}"
        f"</td><td class='n'>{num(i['duplicates'], lang)}</td>"
        f"<td class='n'>{num(i['rejected'], lang)}</td></tr>"
        for i in s["imports"]
    )
    head = "".join(f"<th>{escape(tr(k, lang))}</th>" for k in ("file", "new", "dupes", "rejected"))
    maps = "".join(_map_link(m) for m in s["maps"] if m["lang"] == lang)
    intro = tr(
        "intro", lang, people=num(s["facts"]["seed_customers"], lang), files=len(s["imports"])
    )
    featured = _featured(s.get("featured_map", {}).get(lang, ""))
    if featured and s.get("featured_from_data", {}).get(lang):
        words = escape(tr("maps_from_data", lang)).replace(
            "{cmd}", "<code>journeyscope map generate</code>"
        )
        featured = f"<p class='explain'>{words}</p>{featured}"
    link = (
        f" · <a href='{escape(other_page)}'>{escape(tr('other', lang))}</a>" if other_page else ""
    )
    return (
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(tr('title', lang))}</title><style>{CSS}{REPORT_CSS}</style></head>"
        f"<body><header><h1>{escape(tr('title', lang))}</h1>"
        f"<p class='explain'>{escape(intro)}{link}</p></header>"
        f"<div class='cards'>{cards}</div>"
        f"{findings_html(s['findings'], lang)}"
        f"{analysis_html(s['analytics'], lang)}"
        f"<section>{by_channel}</section><section>{by_revenue}</section>"
        f"<section><h2>{escape(tr('imports_h', lang))}</h2><table><tr>{head}</tr>{imports}"
        "</table></section>"
        f"<section><h2>{escape(tr('maps_h', lang))}</h2>{featured}"
        f"<ul>{maps}</ul></section></body></html>\n"
    )
