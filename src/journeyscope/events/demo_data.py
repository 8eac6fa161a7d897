"""Realistic demo data: a Vietnamese omnichannel retailer, generated from a seed.

The generator writes what the retailer's systems would export — web events (JSON Lines,
UTM-tagged), app events (Parquet), ad clicks, Shopee/Lazada/TikTok Shop orders (CSV with
Vietnamese headers and local date formats), store POS, hotline calls, messages (email, SMS,
Zalo ZNS) and reviews/surveys — each with the mapping file that imports it. Identifiers
overlap across channels with real noise (phone formats, e-mail case and spaces, a shared
in-store tablet, a placeholder phone, typos).

It also *plants facts* that the analytics must recover, and writes them to ``facts.json``;
``truth.parquet`` says which person each event belongs to, so identity resolution can be
scored. Everything is a pure function of ``(customers, seed)``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 180
VN = timezone(timedelta(hours=7))
SHARED_TABLET = "TAB-CH-Q1-01"
PLACEHOLDER_PHONE = "0999999999"
BAD_TOUCHPOINT = "web:/checkout/shipping-fee"
DRIVING_CHANNEL = "zalo"
#: Incidents planted when ``generate(..., incidents=True)`` (the demo's data): what
#: ``journeyscope insights`` must find by itself, and a sale day it must leave alone
CHECKOUT_BREAK = (date(2026, 3, 9), date(2026, 3, 29))  # Android app: checkout fails
PAYMENT_OUTAGE = (date(2026, 4, 13), date(2026, 4, 19))  # payment_error, most fail
TRAFFIC_SPIKE = (date(2026, 5, 12), date(2026, 5, 14))  # TikTok visitors who never buy
TRAFFIC_CAMPAIGN = "tiktok_flash_2026"
WEAK_COHORT = (date(2026, 4, 1), date(2026, 4, 30))  # first buyers who seldom return
SALE_DAY = date(2026, 6, 6)  # the 6.6 sale: more shoppers, buying as usual

PERSONAS: dict[str, dict[str, Any]] = {
    # weight, where they shop, chance to act at each step, ads they see, repeat appetite
    "deal_hunter": {
        "weight": 0.35,
        "shop": {"shopee": 0.45, "lazada": 0.25, "tiktok_shop": 0.1, "web": 0.15, "app": 0.05},
        "ads": {"facebook": 0.5, "tiktok": 0.3, "google_ads": 0.2},
        "cart": 0.55,
        "repeat": 0.45,
    },
    "omnichannel_family": {
        "weight": 0.3,
        "shop": {"web": 0.35, "app": 0.3, "store": 0.25, "shopee": 0.1},
        "ads": {"facebook": 0.4, "google_ads": 0.6},
        "cart": 0.5,
        "repeat": 0.6,
    },
    "store_loyal": {
        "weight": 0.2,
        "shop": {"store": 0.8, "web": 0.1, "app": 0.1},
        "ads": {"facebook": 0.7, "google_ads": 0.3},
        "cart": 0.6,
        "repeat": 0.65,
    },
    "young_social": {
        "weight": 0.15,
        "shop": {"tiktok_shop": 0.45, "app": 0.35, "shopee": 0.2},
        "ads": {"tiktok": 0.8, "facebook": 0.2},
        "cart": 0.45,
        "repeat": 0.35,
    },
}

CATEGORIES = {
    "my_pham": ("Mỹ phẩm", 150_000, 900_000),
    "thoi_trang": ("Thời trang", 200_000, 1_500_000),
    "me_va_be": ("Mẹ và bé", 120_000, 2_000_000),
    "dien_gia_dung": ("Điện gia dụng", 500_000, 6_000_000),
    "tui_xach": ("Túi xách", 400_000, 3_500_000),
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Linh",
    "Minh",
    "Nam",
    "Ngọc",
    "Phương",
    "Quân",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
]
ASCII = str.maketrans(
    "ĂÂĐÊÔƠƯăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ",
    "AADEOOUaadeoouaaaaaaaaaaaaaaaeeeeeeeeeeiiiiiooooooooooooooouuuuuuuuuuyyyyy",
)
DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com.vn", "outlook.com", "fpt.vn"]
GOOD_REVIEWS = [
    ("vi", "Giao hàng nhanh, đóng gói cẩn thận, sẽ ủng hộ tiếp!"),
    ("vi", "Sản phẩm đúng mô tả, chất lượng tốt, rất hài lòng."),
    ("vi", "Nhân viên tư vấn nhiệt tình, giá hợp lý."),
    ("en", "Fast delivery and the product is exactly as described."),
    ("en", "Great quality, I will buy again."),
]
BAD_REVIEWS = [
    ("vi", "Giao hàng trễ cả tuần, gọi tổng đài mãi không ai xử lý."),
    ("vi", "Hàng đến muộn, hộp bị móp, rất thất vọng."),
    ("vi", "Đơn hàng giao chậm, shipper không liên lạc trước."),
    ("en", "The delivery was a week late and support did not help."),
    ("en", "Late delivery, damaged box, very disappointed."),
]
MOBILE_PREFIXES = [
    "903",
    "912",
    "983",
    "868",
    "777",
    "339",
    "367",
    "386",
    "988",
    "934",
    "707",
    "797",
    "815",
    "856",
    "326",
    "359",
]
PHONE_STYLES: list[Callable[[str], str]] = [
    lambda d: f"0{d[:3]} {d[3:6]} {d[6:]}",
    lambda d: f"+84{d}",
    lambda d: f"84-{d[:3]}-{d[3:6]}-{d[6:]}",
    lambda d: f"0{d}",
    lambda d: f"(+84) {d[:3]}.{d[3:6]}.{d[6:]}",
]


@dataclass
class Person:
    pid: int
    persona: str
    phone: str  # nine national digits, e.g. 903123456
    email: str
    cookie: str
    device: str
    user_id: str
    zalo_id: str
    loyalty_id: str


ID_FIELDS = ("anonymous_id", "user_id", "email", "phone", "device_id", "zalo_id", "loyalty_id")
TRAPS = {("device_id", SHARED_TABLET), ("phone", PLACEHOLDER_PHONE[1:])}


def true_key(id_type: str, value: str) -> tuple[str, str]:
    """The identifier as the generator meant it, before the noise it added."""
    if id_type == "phone":
        return id_type, "".join(ch for ch in value if ch.isdigit())[-9:]
    if id_type == "email":
        return id_type, value.strip().lower()
    return id_type, value


@dataclass
class Sink:
    """The events of one export, as rows, plus the truth about each event.

    ``person`` is who made the event; ``linkable`` is the group deterministic linking can
    find at best: events joined by shared true identifiers, the traps left out (union-find
    here, independent of the SQL the product uses).
    """

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    truth: list[tuple[str, str, int, tuple[str, str] | None]] = field(default_factory=list)
    counter: dict[str, int] = field(default_factory=dict)
    parent: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def find(self, key: tuple[str, str]) -> tuple[str, str]:
        root = key
        while self.parent.setdefault(root, root) != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def add(self, source: str, person: int, row: dict[str, Any]) -> str:
        n = self.counter.get(source, 0) + 1
        self.counter[source] = n
        event_id = f"{source[:3].upper()}-{n:08d}"
        row = {"event_id": event_id, **row}
        self.rows.setdefault(source, []).append(row)
        keys = [true_key(k, row[k]) for k in ID_FIELDS if row.get(k)]
        keys = [k for k in keys if k not in TRAPS]
        for other in keys[1:]:
            a, b = self.find(keys[0]), self.find(other)
            if a != b:
                self.parent[a] = b
        self.truth.append((source, event_id, person, keys[0] if keys else None))
        return event_id


class Generator:
    """One run of the simulation; ``rng`` is the only source of chance."""

    def __init__(self, customers: int, seed: int, incidents: bool = False) -> None:
        self.incidents = incidents
        self.rng = random.Random(seed)
        self.customers = customers
        self.sink = Sink()
        self.counts: dict[str, int] = {}
        self.prospect_id = customers

    # ---------------------------------------------------------------- people

    def person(self, pid: int) -> Person:
        r = self.rng
        persona = r.choices(list(PERSONAS), [p["weight"] for p in PERSONAS.values()])[0]
        given, family = r.choice(GIVEN), r.choice(FAMILY)
        local = f"{given}.{family}".translate(ASCII).lower() + str(pid)
        return Person(
            pid=pid,
            persona=persona,
            phone=f"{r.choice(MOBILE_PREFIXES)}{pid:06d}",
            email=f"{local}@{r.choice(DOMAINS)}",
            cookie=f"ck_{r.getrandbits(48):012x}",
            device=f"dv_{r.getrandbits(48):012x}",
            user_id=f"u{100000 + pid}",
            zalo_id=f"z{r.getrandbits(40):010d}",
            loyalty_id=f"LOY{pid:07d}",
        )

    def noisy_phone(self, p: Person) -> str:
        return self.rng.choice(PHONE_STYLES)(p.phone)

    def noisy_email(self, p: Person) -> str:
        r = self.rng
        email = p.email
        if r.random() < 0.3:
            email = email.capitalize() if r.random() < 0.5 else email.upper()
        if r.random() < 0.2:
            email = f" {email} "
        return email

    # ---------------------------------------------------------------- events

    def emit(self, source: str, p: int, t: float, event: str, channel: str, **extra: Any) -> None:
        row = {"ts": t, "event": event, "channel": channel, **extra}
        if source == "app":  # two in three app users are on Android
            row["platform"] = "ios" if p % 3 == 0 else "android"
        self.sink.add(source, p, row)
        self.counts[event] = self.counts.get(event, 0) + 1

    def journey(self, p: Person) -> None:
        r = self.rng
        spec = PERSONAS[p.persona]
        # customers keep coming to the end (were acquisition to stop, every later week's
        # mix of new and returning customers would shift: a change `insights` reports)
        t = START.timestamp() + r.random() * DAYS * 0.95 * 86400
        end = START.timestamp() + DAYS * 86400
        registered = False
        bought = False
        while t < end:
            zalo = r.random() < 0.3
            ad = r.choices(list(spec["ads"]), list(spec["ads"].values()))[0]
            where = r.choices(list(spec["shop"]), list(spec["shop"].values()))[0]
            category = r.choice(list(CATEGORIES))
            if where in {"web", "app"} and r.random() < 0.7:
                self.ad_touch(p, t, ad, category)
                t += r.uniform(5, 120)
            if zalo:
                self.emit(
                    "messages",
                    p.pid,
                    t,
                    "message_sent",
                    "zalo",
                    zalo_id=p.zalo_id,
                    phone=self.noisy_phone(p),
                    touchpoint="zalo:zns_promo",
                )
                t += r.uniform(600, 7200)
            # the Zalo message truly moves people: it doubles the odds of adding to cart
            cart_p = min(0.95, spec["cart"] * (1.8 if zalo else 1.0))
            trip = t
            outcome = self.shop(p, t, where, category, cart_p, registered)
            registered = registered or outcome["registered"]
            t = outcome["t"]
            first_buy = not bought and outcome["bought"]
            bought = bought or outcome["bought"]
            if outcome["late"] is not None:
                late = outcome["late"]
                self.counts["late_orders" if late else "on_time_orders"] = (
                    self.counts.get("late_orders" if late else "on_time_orders", 0) + 1
                )
                churn = 0.55 if late else 1 - spec["repeat"]
            else:
                churn = 0.5
            if self.incidents and first_buy and _within(trip, WEAK_COHORT):
                churn = 0.95  # the April cohort came for one deal and left
            if r.random() < churn:
                break
            t += r.expovariate(1 / (25 * 86400))

    def ad_touch(self, p: Person, t: float, ad: str, category: str) -> None:
        campaign = f"{ad}_{category}_2026"
        self.emit("ads", p.pid, t, "ad_impression", ad, anonymous_id=p.cookie, campaign=campaign)
        if self.rng.random() < 0.6:
            self.emit("ads", p.pid, t + 3, "ad_click", ad, anonymous_id=p.cookie, campaign=campaign)

    def shop(
        self, p: Person, t: float, where: str, category: str, cart_p: float, registered: bool
    ) -> dict[str, Any]:
        r = self.rng
        result: dict[str, Any] = {"t": t, "late": None, "registered": False, "bought": False}
        price = round(r.uniform(*CATEGORIES[category][1:]) / 1000) * 1000
        if where in {"web", "app"}:
            ids = (
                {"anonymous_id": p.cookie}
                if where == "web"
                else {"device_id": p.device, "user_id": p.user_id}
            )
            source = "web" if where == "web" else "app"
            if where == "app" and r.random() < 0.5:  # OTP login by phone
                self.emit(
                    source,
                    p.pid,
                    t,
                    "login",
                    where,
                    touchpoint="app:/login",
                    phone=self.noisy_phone(p),
                    **ids,
                )
                t += r.uniform(5, 30)
            for _ in range(r.randint(1, 4)):
                self.emit(
                    source,
                    p.pid,
                    t,
                    "product_view",
                    where,
                    touchpoint=f"{where}:/p/{category}",
                    category=category,
                    **ids,
                )
                t += r.uniform(20, 300)
            if r.random() >= cart_p:
                result["t"] = t
                return result
            self.emit(
                source,
                p.pid,
                t,
                "add_to_cart",
                where,
                touchpoint=f"{where}:/cart",
                category=category,
                **ids,
            )
            t += r.uniform(30, 900)
            if r.random() >= 0.7:
                result["t"] = t
                return result
            if where == "web":
                # logging in at checkout links the cookie to the account
                ids = {**ids, "user_id": p.user_id, "email": self.noisy_email(p)}
                self.emit(source, p.pid, t, "login", where, touchpoint="web:/login", **ids)
                result["registered"] = True
                t += r.uniform(10, 60)
            step = BAD_TOUCHPOINT if where == "web" else "app:/checkout"
            self.emit(
                source, p.pid, t, "checkout", where, touchpoint=step, category=category, **ids
            )
            t += r.uniform(60, 600)
            # the planted bad step: the web shipping-fee page loses most people
            failed = r.random() < (0.62 if where == "web" else 0.12)
            if self.incidents:
                failed = self.checkout_incidents(p, t, where, source, ids) or failed
            if failed:
                result["t"] = t
                return result
            self.emit(
                source,
                p.pid,
                t,
                "purchase",
                where,
                touchpoint=f"{where}:/order/success",
                revenue=price,
                category=category,
                **ids,
            )
            result.update(self.after_order(p, t, where, price, category))
            result["bought"] = True
            return result
        if where == "store":
            sign_up = r.random() < 0.3
            ids = {"loyalty_id": p.loyalty_id, "phone": self.noisy_phone(p)}
            if sign_up:
                self.emit(
                    "store",
                    p.pid,
                    t,
                    "sign_up",
                    "store",
                    touchpoint="store:Q1",
                    device_id=SHARED_TABLET,
                    **ids,
                )
            self.emit(
                "store",
                p.pid,
                t + 60,
                "store_visit",
                "store",
                touchpoint="store:Q1" if p.pid % 2 else "store:Q7",
                **ids,
            )
            if r.random() < cart_p + 0.2:
                phone = PLACEHOLDER_PHONE if r.random() < 0.25 else ids["phone"]
                self.emit(
                    "store",
                    p.pid,
                    t + 900,
                    "purchase",
                    "store",
                    touchpoint="store:pos",
                    revenue=price,
                    category=category,
                    loyalty_id=p.loyalty_id,
                    phone=phone,
                )
                result["bought"] = True
            result["t"] = t + 900
            return result
        # marketplaces: only the orders reach the retailer
        if r.random() < cart_p * 0.85:
            self.emit(
                where,
                p.pid,
                t,
                "purchase",
                where,
                revenue=price,
                category=category,
                phone=self.noisy_phone(p),
            )
            result.update(self.after_order(p, t, where, price, category))
            result["bought"] = True
        else:
            result["t"] = t
        return result

    def checkout_incidents(
        self, p: Person, t: float, where: str, source: str, ids: dict[str, Any]
    ) -> bool:
        """The planted checkout incidents; whether this checkout fails because of them."""
        r = self.rng
        if where == "app" and p.pid % 3 and _within(t, CHECKOUT_BREAK) and r.random() < 0.9:
            # the Android app's checkout breaks: sent back to the cart, most give up
            self.emit(source, p.pid, t + 40, "add_to_cart", where, touchpoint="app:/cart", **ids)
            return True
        if _within(t, PAYMENT_OUTAGE):
            self.emit(
                source, p.pid, t + 20, "payment_error", where, touchpoint=f"{where}:/pay", **ids
            )
            return r.random() < 0.8
        return False

    def after_order(
        self, p: Person, t: float, where: str, price: float, category: str
    ) -> dict[str, Any]:
        r = self.rng
        late = r.random() < 0.15
        source = where if where in {"shopee", "lazada", "tiktok_shop"} else "delivery"
        days = r.uniform(5, 10) if late else r.uniform(1, 3)
        if late:
            self.emit(
                source, p.pid, t + 3 * 86400, "delivery_late", where, phone=self.noisy_phone(p)
            )
            if r.random() < 0.6:
                self.emit(
                    "hotline",
                    p.pid,
                    t + 4 * 86400,
                    "support_call",
                    "hotline",
                    phone=self.noisy_phone(p),
                    touchpoint="hotline:delivery",
                )
                if r.random() < 0.35:  # unresolved: they call again
                    self.emit(
                        "hotline",
                        p.pid,
                        t + 5 * 86400,
                        "support_call",
                        "hotline",
                        phone=self.noisy_phone(p),
                        touchpoint="hotline:delivery",
                    )
        t_done = t + days * 86400
        self.emit(source, p.pid, t_done, "order_delivered", where, phone=self.noisy_phone(p))
        if r.random() < (0.55 if late else 0.25):
            lang, text = r.choice(BAD_REVIEWS if late else GOOD_REVIEWS)
            rating = r.choice([1, 1, 2, 2, 3]) if late else r.choice([4, 5, 5, 5])
            self.emit(
                "feedback",
                p.pid,
                t_done + 86400,
                "review",
                where,
                phone=self.noisy_phone(p),
                rating=rating,
                text=text,
                lang=lang,
            )
        if r.random() < 0.1:
            nps = r.randint(0, 6) if late else r.randint(6, 10)
            email = self.noisy_email(p)
            if r.random() < 0.3:  # a typo in the survey form; the phone still links it
                email = email.replace("@gmail.com", "@gmial.com").replace(
                    "@outlook.com", "@outlok.com"
                )
            self.emit(
                "feedback",
                p.pid,
                t_done + 2 * 86400,
                "survey_response",
                "email",
                email=email,
                phone=self.noisy_phone(p),
                nps=nps,
                text="",
                lang="vi",
            )
        if r.random() < 0.5:
            self.emit(
                "messages",
                p.pid,
                t_done + 3 * 86400,
                "message_sent",
                "email",
                email=self.noisy_email(p),
                touchpoint="email:newsletter",
            )
        if r.random() < 0.3:
            self.emit(
                "messages",
                p.pid,
                t_done + 5 * 86400,
                "message_sent",
                "sms",
                phone=self.noisy_phone(p),
                touchpoint="sms:voucher",
            )
        return {"t": t_done, "late": late}

    def prospects(self, n: int) -> None:
        """Visitors who never identify themselves, and walk-ins who give the placeholder phone."""
        r = self.rng
        for _ in range(n):
            pid = self.prospect_id
            self.prospect_id += 1
            t = START.timestamp() + r.random() * DAYS * 86400
            cookie = f"ck_{r.getrandbits(48):012x}"
            if r.random() < 0.8:
                ad = r.choice(["facebook", "google_ads", "tiktok"])
                self.emit(
                    "ads",
                    pid,
                    t,
                    "ad_impression",
                    ad,
                    anonymous_id=cookie,
                    campaign=f"{ad}_awareness_2026",
                )
                if r.random() < 0.3:
                    self.emit(
                        "ads",
                        pid,
                        t + 3,
                        "ad_click",
                        ad,
                        anonymous_id=cookie,
                        campaign=f"{ad}_awareness_2026",
                    )
                    self.emit(
                        "web",
                        pid,
                        t + 10,
                        "product_view",
                        "web",
                        anonymous_id=cookie,
                        touchpoint="web:/p/my_pham",
                        category="my_pham",
                    )
            else:
                self.emit(
                    "store",
                    pid,
                    t,
                    "purchase",
                    "store",
                    touchpoint="store:pos",
                    revenue=round(r.uniform(100, 900)) * 1000,
                    category="my_pham",
                    phone=PLACEHOLDER_PHONE,
                )

    def run(self) -> None:
        for pid in range(self.customers):
            self.journey(self.person(pid))
        self.prospects(self.customers // 2)
        if self.incidents:
            self.traffic_spike()
            self.sale_day()

    def traffic_spike(self) -> None:
        """A TikTok campaign brings crowds of visitors who look and leave."""
        r = self.rng
        day = TRAFFIC_SPIKE[0]
        while day <= TRAFFIC_SPIKE[1]:
            start = datetime(day.year, day.month, day.day, tzinfo=VN).timestamp()
            for _ in range(max(20, self.customers // 13)):
                pid = self.prospect_id
                self.prospect_id += 1
                t = start + r.uniform(8, 23) * 3600
                cookie = f"ck_{r.getrandbits(48):012x}"
                campaign = TRAFFIC_CAMPAIGN
                self.emit(
                    "ads", pid, t, "ad_click", "tiktok", anonymous_id=cookie, campaign=campaign
                )
                self.emit(
                    "web",
                    pid,
                    t + 5,
                    "product_view",
                    "web",
                    anonymous_id=cookie,
                    touchpoint="web:/p/thoi_trang",
                    category="thoi_trang",
                )
            day += timedelta(days=1)

    def sale_day(self) -> None:
        """The 6.6 sale: many more marketplace shoppers that day, buying as usual."""
        r = self.rng
        start = datetime(SALE_DAY.year, SALE_DAY.month, SALE_DAY.day, tzinfo=VN).timestamp()
        for i in range(max(20, self.customers // 8)):
            p = self.person(800_000 + i)
            spec = PERSONAS["deal_hunter"]
            where = r.choice(["shopee", "lazada"])
            self.shop(
                p,
                start + r.uniform(0, 23) * 3600,
                where,
                r.choice(list(CATEGORIES)),
                spec["cart"],
                False,
            )


# -------------------------------------------------------------------- writing exports


def _within(t: float, span: tuple[date, date]) -> bool:
    """Whether the moment ``t`` falls on a day of ``span`` in Vietnam."""
    return span[0] <= datetime.fromtimestamp(t, VN).date() <= span[1]


def _iso_local(t: float) -> str:
    return datetime.fromtimestamp(t, VN).isoformat(timespec="seconds")


def _vn(t: float, seconds: bool = False) -> str:
    return datetime.fromtimestamp(t, VN).strftime(
        "%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"
    )


def _vnd_text(value: float) -> str:
    return f"{int(value):,}".replace(",", ".") + " ₫"


def _utm(row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Web events carry UTM tags or a referrer, the way a site's tracker sends them."""
    if row["event"] != "product_view" or rng.random() < 0.5:
        return {"utm_source": None, "utm_medium": None, "referrer": None}
    pick = rng.random()
    if pick < 0.3:
        return {"utm_source": "facebook", "utm_medium": "cpc", "referrer": None}
    if pick < 0.55:
        return {"utm_source": "google", "utm_medium": "cpc", "referrer": None}
    if pick < 0.7:
        return {"utm_source": "zalo", "utm_medium": "zns", "referrer": None}
    if pick < 0.85:
        return {"utm_source": None, "utm_medium": None, "referrer": "https://www.google.com/"}
    return {
        "utm_source": None,
        "utm_medium": None,
        "referrer": "https://coccoc.com/search?q=my+pham",
    }


EXPORTS: dict[str, dict[str, Any]] = {
    "web": {"file": "web_events.jsonl", "mapping": None},
    "app": {"file": "app_events.parquet", "mapping": None},
    "ads": {
        "file": "ads_clicks.csv",
        "mapping": {
            "source": "ads",
            "columns": {"ts": "time_unix"},
            "timestamp": {"format": "epoch_s"},
        },
    },
    "shopee": {
        "file": "shopee_don_hang.csv",
        "mapping": {
            "source": "shopee",
            "columns": {
                "event_id": "Mã đơn hàng",
                "ts": "Ngày đặt hàng",
                "event": "Trạng thái",
                "phone": "Số điện thoại",
                "revenue": "Tổng giá trị",
            },
            "constants": {"channel": "shopee", "currency": "VND"},
            "timestamp": {"format": "%d/%m/%Y %H:%M"},
            "events": {
                "Đã đặt hàng": "purchase",
                "Giao trễ": "delivery_late",
                "Đã giao": "order_delivered",
            },
        },
    },
    "lazada": {
        "file": "lazada_orders.csv",
        "mapping": {
            "source": "lazada",
            "columns": {
                "event_id": "order_number",
                "ts": "created_at_ms",
                "event": "status",
                "phone": "buyer_phone",
                "revenue": "paid_price",
            },
            "constants": {"channel": "lazada"},
            "timestamp": {"format": "epoch_ms"},
            "events": {
                "pending": "purchase",
                "delayed": "delivery_late",
                "delivered": "order_delivered",
            },
        },
    },
    "tiktok_shop": {
        "file": "tiktok_shop_orders.csv",
        "mapping": {"source": "tiktok_shop", "constants": {"channel": "tiktok_shop"}},
    },
    "delivery": {
        "file": "delivery_status.csv",
        "mapping": {"source": "delivery", "timestamp": {"format": "iso"}},
    },
    "store": {
        "file": "store_pos.csv",
        "mapping": {
            "source": "store",
            "columns": {
                "event_id": "Số hoá đơn",
                "ts": "Thời gian",
                "event": "Loại",
                "loyalty_id": "Mã thành viên",
                "phone": "SĐT",
                "device_id": "Thiết bị",
                "touchpoint": "Quầy",
                "revenue": "Thành tiền",
            },
            "constants": {"channel": "store"},
            "timestamp": {"format": "%d/%m/%Y %H:%M:%S"},
            "events": {"Đăng ký": "sign_up", "Ghé cửa hàng": "store_visit", "Mua hàng": "purchase"},
        },
    },
    "hotline": {
        "file": "hotline_calls.csv",
        "mapping": {
            "source": "hotline",
            "columns": {"event_id": "call_id", "ts": "started_at", "phone": "caller"},
            "constants": {"event": "support_call", "channel": "hotline"},
        },
    },
    "messages": {"file": "messages.csv", "mapping": {"source": "messages"}},
    "feedback": {"file": "feedback.jsonl", "mapping": {"source": "feedback"}},
}
VIET_STATUS = {"purchase": "Đã đặt hàng", "delivery_late": "Giao trễ", "order_delivered": "Đã giao"}
LAZ_STATUS = {"purchase": "pending", "delivery_late": "delayed", "order_delivered": "delivered"}
STORE_KIND = {"sign_up": "Đăng ký", "store_visit": "Ghé cửa hàng", "purchase": "Mua hàng"}


def _shape(source: str, row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One event as the source system would export it."""
    t = row["ts"]
    props = {
        k: row[k] for k in ("category", "campaign", "rating", "text", "lang", "nps") if k in row
    }
    ids = {
        k: row.get(k)
        for k in ("anonymous_id", "user_id", "email", "phone", "device_id", "zalo_id", "loyalty_id")
    }
    if source == "web":
        return {
            "event_id": row["event_id"],
            "ts": _iso_local(t),
            "event": row["event"],
            "touchpoint": row.get("touchpoint"),
            **{k: v for k, v in ids.items() if v},
            **_utm(row, rng),
            "revenue": row.get("revenue"),
            "properties": props or None,
        }
    if source == "app":
        return {
            "event_id": row["event_id"],
            "ts": datetime.fromtimestamp(t, UTC),
            "event": row["event"],
            "channel": "app",
            "touchpoint": row.get("touchpoint"),
            "device_id": ids["device_id"],
            "user_id": ids["user_id"],
            "phone": ids["phone"],
            "revenue": row.get("revenue"),
            "category": row.get("category"),
            "platform": row.get("platform"),
        }
    if source == "ads":
        return {
            "event_id": row["event_id"],
            "time_unix": int(t),
            "event": row["event"],
            "channel": row["channel"],
            "anonymous_id": ids["anonymous_id"],
            "touchpoint": row.get("campaign"),
        }
    if source == "shopee":
        return {
            "Mã đơn hàng": row["event_id"],
            "Ngày đặt hàng": _vn(t),
            "Trạng thái": VIET_STATUS[row["event"]],
            "Số điện thoại": ids["phone"],
            "Tổng giá trị": _vnd_text(row["revenue"]) if row.get("revenue") else None,
            "Ngành hàng": row.get("category"),
        }
    if source == "lazada":
        return {
            "order_number": row["event_id"],
            "created_at_ms": int(t * 1000),
            "status": LAZ_STATUS[row["event"]],
            "buyer_phone": ids["phone"],
            "paid_price": row.get("revenue"),
            "category": row.get("category"),
        }
    if source in {"tiktok_shop", "delivery"}:
        stamp = (
            _iso_local(t)
            if source == "tiktok_shop"
            else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        return {
            "event_id": row["event_id"],
            "ts": stamp,
            "event": row["event"],
            "channel": row["channel"],
            "phone": ids["phone"],
            "revenue": row.get("revenue"),
            "category": row.get("category"),
        }
    if source == "store":
        return {
            "Số hoá đơn": row["event_id"],
            "Thời gian": _vn(t, seconds=True),
            "Loại": STORE_KIND[row["event"]],
            "Mã thành viên": ids["loyalty_id"],
            "SĐT": ids["phone"],
            "Thiết bị": ids["device_id"],
            "Quầy": row.get("touchpoint"),
            "Thành tiền": _vnd_text(row["revenue"]) if row.get("revenue") else None,
            "Ngành hàng": row.get("category"),
        }
    if source == "hotline":
        return {
            "call_id": row["event_id"],
            "started_at": datetime.fromtimestamp(t, VN).strftime("%Y-%m-%d %H:%M:%S"),
            "caller": ids["phone"],
            "touchpoint": row.get("touchpoint"),
            "queue": "Giao hàng",
        }
    if source == "messages":
        return {
            "event_id": row["event_id"],
            "ts": datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "event": row["event"],
            "channel": row["channel"],
            "touchpoint": row.get("touchpoint"),
            "email": ids["email"],
            "phone": ids["phone"],
            "zalo_id": ids["zalo_id"],
        }
    # feedback
    return {
        "event_id": row["event_id"],
        "ts": _iso_local(t),
        "event": row["event"],
        "channel": row["channel"],
        "email": ids["email"],
        "phone": ids["phone"],
        "properties": props,
    }


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    if path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(
                    json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False)
                    + "\n"
                )
        return
    names = list(dict.fromkeys(k for row in rows for k in row))
    table = pa.Table.from_pylist(rows, schema=None) if rows else pa.table({})
    table = table.select([n for n in names if n in table.column_names])
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path)


def generate(
    out: Path, customers: int = 2000, seed: int = 7, incidents: bool = False
) -> dict[str, Any]:
    """Write the exports, their mappings, ``facts.json`` and ``truth.parquet`` under ``out``.
    ``incidents``: plant the changes ``insights`` must find (the demo's data has them)."""
    gen = Generator(customers, seed, incidents)
    gen.run()
    out.mkdir(parents=True, exist_ok=True)
    shaper_rng = random.Random(seed + 1)
    files: list[dict[str, Any]] = []
    for source, spec in EXPORTS.items():
        rows = gen.sink.rows.get(source, [])
        if not rows:
            continue
        rows.sort(key=lambda r: r["ts"])
        shaped = [_shape(source, row, shaper_rng) for row in rows]
        path = out / spec["file"]
        _write(path, shaped)
        mapping = None
        if spec["mapping"] is not None:
            mapping = out / f"{path.stem}.mapping.yaml"
            mapping.write_text(
                yaml.safe_dump(spec["mapping"], allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
        files.append(
            {"file": path.name, "mapping": mapping.name if mapping else None, "events": len(rows)}
        )
    sink = gen.sink
    roots: dict[tuple[str, str], int] = {}
    linkable = [
        None if key is None else roots.setdefault(sink.find(key), len(roots))
        for _, _, _, key in sink.truth
    ]
    pq.write_table(
        pa.table(
            {
                "source": [t[0] for t in sink.truth],
                "event_id": [t[1] for t in sink.truth],
                "person": [t[2] for t in sink.truth],
                "linkable": pa.array(linkable, pa.int64()),
            }
        ),
        out / "truth.parquet",
    )
    facts = planted_facts(gen, files)
    (out / "facts.json").write_text(
        json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return facts


def planted_facts(gen: Generator, files: list[dict[str, Any]]) -> dict[str, Any]:
    """What the data was made to show; analytics tests recover these."""
    c = gen.counts
    return {
        "seed_customers": gen.customers,
        "events": sum(f["events"] for f in files),
        "files": files,
        "bad_touchpoint": {
            "touchpoint": BAD_TOUCHPOINT,
            "why": "62% of people who reach the web shipping-fee step leave; "
            "the app's checkout loses 12%",
        },
        "driving_channel": {
            "channel": DRIVING_CHANNEL,
            "why": "a Zalo ZNS message multiplies the chance of adding to cart by 1.8; "
            "ads add reach, not lift",
        },
        "late_delivery_emotion_dip": {
            "event": "delivery_late",
            "late_orders": c.get("late_orders", 0),
            "on_time_orders": c.get("on_time_orders", 0),
            "why": "late orders get 1-3 star reviews and negative text, "
            "60% call the hotline, 55% churn",
        },
        "identity_traps": {
            "shared_device": f"device_id:{SHARED_TABLET}",
            "placeholder_phone": f"phone:{PLACEHOLDER_PHONE}",
            "why": "the store's sign-up tablet and the cashier's placeholder phone "
            "touch many people; "
            "both must be excluded from linking",
        },
        "event_counts": dict(sorted(c.items())),
        "incidents": _incidents() if gen.incidents else [],
        "seasonal": [
            {
                "date": SALE_DAY.isoformat(),
                "why": "the 6.6 sale: more shoppers, converting as usual; not an incident",
            }
        ]
        if gen.incidents
        else [],
    }


def _incidents() -> list[dict[str, Any]]:
    """The planted changes, as ``insights`` should report them."""

    def span(s: tuple[date, date]) -> dict[str, str]:
        return {"from": s[0].isoformat(), "to": s[1].isoformat()}

    return [
        {
            "kind": "conversion",
            "direction": "down",
            "period": span(CHECKOUT_BREAK),
            "slice": {"field": "platform", "value": "android"},
            "step": "checkout",
            "why": "the Android app's checkout fails for 90 % for three weeks",
        },
        {
            "kind": "loop",
            "direction": "up",
            "period": span(CHECKOUT_BREAK),
            "slice": {"field": "platform", "value": "android"},
            "step": "checkout",
            "why": "the failing checkout sends Android customers back to the cart",
        },
        {
            "kind": "new_event",
            "direction": "up",
            "period": span(PAYMENT_OUTAGE),
            "event": "payment_error",
            "why": "a payment outage: errors at checkout, 80 % fail",
        },
        {
            "kind": "spike_not_converting",
            "direction": "down",
            "period": span(TRAFFIC_SPIKE),
            "slice": {"field": "channel", "value": "tiktok"},
            "why": "a TikTok campaign brought visitors who did not buy",
        },
        {
            "kind": "cohort",
            "direction": "down",
            "period": span(WEAK_COHORT),
            "why": "April's first buyers seldom came back",
        },
    ]
