"""The survey kit: the articles' research questions plus NPS, CSAT and CES, in vi or en.

``survey_html`` is one standalone page: no external asset, a CSP that allows only its own
inline style and (by hash) its one script, every text escaped. Filled in, it saves the
answers as a CSV with exactly the columns the generic survey shape reads
(``SURVEY_COLUMNS``), so `journeyscope feedback import` takes it with no mapping.
``survey_csv_header`` is that header alone, for survey tools (Google Forms, Typeform, …)
whose export columns are renamed to it.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass

from journeyscope.feedback.shapes import SURVEY_COLUMNS

LANGS = ("vi", "en")


@dataclass(frozen=True)
class Question:
    column: str
    kind: str  # text, long, scale
    en: str
    vi: str
    low: int = 0
    high: int = 0
    low_en: str = ""
    low_vi: str = ""
    high_en: str = ""
    high_vi: str = ""


QUESTIONS: tuple[Question, ...] = (
    Question("heard_from", "text", "How did you hear of us?", "Bạn biết đến chúng tôi qua đâu?"),
    Question(
        "first_noticed",
        "text",
        "What first caught your eye?",
        "Điều gì khiến bạn chú ý đầu tiên?",
    ),
    Question(
        "problem",
        "long",
        "What problem are you solving with our product?",
        "Bạn đang muốn giải quyết vấn đề gì với sản phẩm của chúng tôi?",
    ),
    Question(
        "compare_time",
        "text",
        "How long did you compare before buying?",
        "Bạn đã so sánh bao lâu trước khi mua?",
    ),
    Question(
        "decision_reason",
        "long",
        "What made you decide?",
        "Điều gì khiến bạn quyết định mua?",
    ),
    Question(
        "met_again",
        "text",
        "Did you meet us again after buying (where)?",
        "Sau khi mua, bạn có gặp lại chúng tôi không (ở đâu)?",
    ),
    Question(
        "nps",
        "scale",
        "How likely are you to recommend us to a friend?",
        "Bạn có sẵn lòng giới thiệu chúng tôi cho bạn bè không?",
        0,
        10,
        "not at all likely",
        "hoàn toàn không",
        "extremely likely",
        "chắc chắn có",
    ),
    Question(
        "csat",
        "scale",
        "How satisfied are you with your purchase?",
        "Bạn hài lòng với lần mua hàng này đến mức nào?",
        1,
        5,
        "very dissatisfied",
        "rất không hài lòng",
        "very satisfied",
        "rất hài lòng",
    ),
    Question(
        "ces",
        "scale",
        "How easy was it to get what you needed?",
        "Bạn thấy việc mua hàng và được hỗ trợ dễ dàng đến mức nào?",
        1,
        7,
        "very easy",
        "rất dễ",
        "very difficult",
        "rất khó",
    ),
    Question(
        "comment", "long", "Anything else you want to tell us?", "Bạn muốn góp ý thêm điều gì?"
    ),
)

_WORDS = {
    "title": ("Tell us about your journey", "Hãy kể về hành trình mua sắm của bạn"),
    "intro": (
        "A few minutes of your time help us serve you better. Every question is optional.",
        "Vài phút của bạn giúp chúng tôi phục vụ tốt hơn. Mọi câu hỏi đều không bắt buộc.",
    ),
    "phone": ("Phone number", "Số điện thoại"),
    "email": ("E-mail", "E-mail"),
    "save": ("Save my answers (CSV)", "Lưu câu trả lời (CSV)"),
    "saved": ("Saved. Thank you!", "Đã lưu. Cảm ơn bạn!"),
}

_STYLE = """
body{font-family:system-ui,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;margin:0;
background:#f5f7fa;color:#1d2733;line-height:1.5}
main{max-width:42rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.5rem;margin:.5rem 0}
fieldset{border:1px solid #c9d3de;border-radius:8px;background:#fff;margin:1rem 0;padding:1rem}
legend,label.q{font-weight:600}
input[type=text],input[type=tel],input[type=email],textarea{width:100%;box-sizing:border-box;
padding:.5rem;border:1px solid #9aa8b6;border-radius:6px;font:inherit}
.scale{display:flex;flex-wrap:wrap;gap:.25rem;margin:.5rem 0}
.scale label{display:inline-flex;flex-direction:column;align-items:center;min-width:2.2rem;
padding:.25rem;border:1px solid #c9d3de;border-radius:6px;cursor:pointer}
.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#4a5866}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#0b5cad;
color:#fff;cursor:pointer}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
"""

#: builds the CSV row from the form and offers it as a download (no network)
_SCRIPT = """
document.getElementById("survey").addEventListener("submit", function (ev) {
  ev.preventDefault();
  var form = ev.target, cols = form.dataset.columns.split(",");
  var data = new FormData(form);
  data.set("submitted_at", new Date().toISOString());
  data.set("response_id", "r" + Date.now().toString(36));
  var cell = function (v) { v = String(v == null ? "" : v);
    if (/^[=+\\-@]/.test(v)) { v = "'" + v; }
    return /[",\\n\\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
  var csv = cols.join(",") + "\\r\\n" + cols.map(function (c) { return cell(data.get(c)); })
    .join(",") + "\\r\\n";
  var link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob(["\\ufeff" + csv], {type: "text/csv"}));
  link.download = "survey-answers.csv";
  link.click();
  document.getElementById("status").textContent = form.dataset.saved;
});
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _scale(q: Question, lang: str) -> str:
    label = q.vi if lang == "vi" else q.en
    boxes = "".join(
        f'<label><input type="radio" name="{q.column}" value="{v}">{v}</label>'
        for v in range(q.low, q.high + 1)
    )
    low, high = (q.low_vi, q.high_vi) if lang == "vi" else (q.low_en, q.high_en)
    return (
        f'<fieldset><legend id="q-{q.column}">{_esc(label)}</legend>'
        f'<div class="scale" role="radiogroup" aria-labelledby="q-{q.column}">{boxes}</div>'
        f'<div class="ends"><span>{q.low} = {_esc(low)}</span>'
        f"<span>{q.high} = {_esc(high)}</span></div></fieldset>"
    )


def _field(q: Question, lang: str) -> str:
    label = _esc(q.vi if lang == "vi" else q.en)
    box = (
        f'<textarea id="f-{q.column}" name="{q.column}" rows="3"></textarea>'
        if q.kind == "long"
        else f'<input type="text" id="f-{q.column}" name="{q.column}">'
    )
    return f'<fieldset><label class="q" for="f-{q.column}">{label}</label>{box}</fieldset>'


def _hash(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def survey_html(
    lang: str = "vi",
    *,
    title: str | None = None,
    touchpoint: str = "survey",
    channel: str = "survey",
) -> str:
    """The standalone survey page in ``lang`` (vi or en); ``title``, ``touchpoint`` and
    ``channel`` (stored with each answer) are the caller's text and are escaped."""
    i = 1 if lang == "vi" else 0
    words = {k: v[i] for k, v in _WORDS.items()}
    heading = _esc(title or words["title"])
    contact = (
        f'<fieldset><label class="q" for="f-phone">{_esc(words["phone"])}</label>'
        '<input type="tel" id="f-phone" name="phone" autocomplete="tel">'
        f'<label class="q" for="f-email">{_esc(words["email"])}</label>'
        '<input type="email" id="f-email" name="email" autocomplete="email"></fieldset>'
    )
    body = "".join(_scale(q, lang) if q.kind == "scale" else _field(q, lang) for q in QUESTIONS)
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_hash(_SCRIPT)}'"
    return (
        f'<!DOCTYPE html>\n<html lang="{"vi" if i else "en"}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{heading}</h1><p>{_esc(words['intro'])}</p>"
        f'<form id="survey" data-columns="{_esc(",".join(SURVEY_COLUMNS))}" '
        f'data-saved="{_esc(words["saved"])}">'
        f'<input type="hidden" name="touchpoint" value="{_esc(touchpoint)}">'
        f'<input type="hidden" name="channel" value="{_esc(channel)}">'
        f"{contact}{body}"
        f'<button type="submit">{_esc(words["save"])}</button>'
        '<p id="status" role="status" aria-live="polite"></p>'
        f"</form></main><script>{_SCRIPT}</script></body></html>\n"
    )


def survey_csv_header() -> str:
    """The generic survey CSV's header line (what the survey shape reads with no mapping)."""
    return ",".join(SURVEY_COLUMNS) + "\r\n"


def questions(lang: str) -> list[dict[str, str]]:
    """Each question's column and text in ``lang`` (for --json)."""
    return [{"column": q.column, "text": q.vi if lang == "vi" else q.en} for q in QUESTIONS]
