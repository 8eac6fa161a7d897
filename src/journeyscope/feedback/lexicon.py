"""Hand-written normalisation lists for informal marketplace text (our own words).

Buyers write ``ko``, ``dc``, ``sp``, ``okkk`` and emoji far more often than the dictionary
forms, and the shipped model was trained mostly on dictionary spelling. Mapping the common
short forms onto one spelling lets the model's weights for ``không`` or ``được`` apply to
``k`` and ``đc`` too. The lists are deliberately small: a short form goes in only when it has
one dominant meaning in shop reviews (``k`` after a price, ``45k``, is a separate token and
is left alone).
"""

from __future__ import annotations

# token -> replacement (one or more words); matched on whole tokens after lower-casing
TEEN_CODE: dict[str, str] = {
    # không (not)
    "k": "không",
    "ko": "không",
    "kh": "không",
    "kg": "không",
    "khg": "không",
    "hok": "không",
    "hông": "không",
    "hong": "không",
    "khong": "không",
    "khum": "không",
    "hem": "không",
    # được (ok, got)
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "duoc": "được",
    "dduoc": "được",
    # product, shop, delivery, staff
    "sp": "sản phẩm",
    "sf": "sản phẩm",
    "sph": "sản phẩm",
    "nv": "nhân viên",
    "nvien": "nhân viên",
    "ship": "giao hàng",
    "shipper": "người giao hàng",
    "shiper": "người giao hàng",
    "sop": "shop",
    "shp": "shop",
    # agreement and thanks
    "oke": "ok",
    "okie": "ok",
    "oki": "ok",
    "okay": "ok",
    "okela": "ok",
    "oce": "ok",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "thanhks": "cảm ơn",
    "thankyou": "cảm ơn",
    "camon": "cảm ơn",
    # everyday short forms
    "vs": "với",
    "mn": "mọi người",
    "mng": "mọi người",
    "j": "gì",
    "r": "rồi",
    "bt": "bình thường",
    "bth": "bình thường",
    "bthg": "bình thường",
    "ntn": "như thế nào",
    "qá": "quá",
    "wá": "quá",
    "wa": "quá",
    "qa": "quá",
    "lm": "làm",
    "trc": "trước",
    "ms": "mới",
    "cx": "cũng",
    "cug": "cũng",
    "dt": "điện thoại",
    "đt": "điện thoại",
    "nhìu": "nhiều",
    "nhiu": "nhiều",
    "thik": "thích",
    "thich": "thích",
    "iu": "yêu",
    "tot": "tốt",
    "rat": "rất",
}

# emoji and emoticons -> a word the model has weights for; polarity words, not names,
# so a text that is only "😍😍" still carries a signal
POSITIVE_EMOJI = "😍🥰😘😊😁😀😃😄😆🤩👍👌💯❤💕💖💗💓💞💝♥😻🤗🌟⭐✨🎉🙆💪😋☺🙂🥳"
NEGATIVE_EMOJI = "😡😠🤬😤😞😔😢😭😩😫😒🙁☹👎💔🤮🤢😣😖😑😐😓😟😕🙄"
POSITIVE_EMOTICONS = (":)", ":-)", ":))", ":)))", ":d", "=)", "=))", "<3", "^^", "^_^", ":3")
NEGATIVE_EMOTICONS = (":(", ":-(", ":((", ":(((", "-_-", ":'(", "=((", "=(")

POSITIVE_WORD = "emojitot"
NEGATIVE_WORD = "emojixau"
