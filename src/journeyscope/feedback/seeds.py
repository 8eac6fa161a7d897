"""Hand-written seed phrases for training: short marketplace verdicts, in our own words.

The only licensed Vietnamese training set (NTC-SCV) is restaurant reviews: long texts, where
"ok" means a lukewarm meal and "giao hàng" mostly appears in complaints. Shop reviews are
short ("hàng ok", "giao hàng nhanh") and mean the opposite. These phrases — an aspect's
subject with a verdict, written by the project from everyday shop vocabulary, not copied from
any data set — teach the model that vocabulary. They are composed, not listed one by one:
subjects x verdicts, then deterministic pairs. Used by ``scripts/train_sentiment.py`` only;
the product never imports this module.
"""

from __future__ import annotations

import random

# (subjects, positive verdicts, negative verdicts) per part of the experience
_VI_ASPECTS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("hàng", "sản phẩm", "áo", "quần", "váy", "giày", "túi", "ví", "vải", "chất vải", "đồ"),
        (
            "đẹp",
            "ok",
            "tốt",
            "ổn",
            "xinh",
            "chất lượng",
            "đúng mô tả",
            "giống hình",
            "chuẩn",
            "xịn",
            "mềm",
            "mát",
            "vừa vặn",
            "đáng tiền",
            "ưng ý",
            "như mong đợi",
            "tuyệt vời",
            "chắc chắn",
            "bền",
            "thơm",
            "dày dặn",
            "không có lỗi gì",
            "đẹp hơn mong đợi",
        ),
        (
            "lỗi",
            "xấu",
            "bị rách",
            "kém",
            "tệ",
            "không giống hình",
            "khác mô tả",
            "bị phai màu",
            "bị hỏng",
            "dởm",
            "kém chất lượng",
            "không đáng tiền",
            "bị bung chỉ",
            "hôi",
            "bị lỗi",
            "quá tệ",
            "không như mong đợi",
            "sai màu",
            "sai size",
            "không đẹp",
            "không tốt",
            "không vừa",
            "mỏng dính",
            "bị dơ",
            "cũ",
            "nhái",
        ),
    ),
    (
        ("giao hàng", "vận chuyển", "người giao hàng", "đơn vị vận chuyển"),
        ("nhanh", "đúng hẹn", "nhiệt tình", "thân thiện", "siêu nhanh", "sớm hơn dự kiến"),
        (
            "chậm",
            "lâu",
            "trễ hẹn",
            "thái độ không tốt",
            "cọc cằn",
            "làm móp hàng",
            "mất hàng",
            "không gọi trước",
        ),
    ),
    (
        ("đóng gói", "gói hàng", "hộp"),
        ("cẩn thận", "kỹ", "chắc chắn", "đẹp", "kỹ càng", "chỉn chu"),
        ("cẩu thả", "sơ sài", "bị móp", "bị rách", "ẩu", "không cẩn thận"),
    ),
    (
        ("shop", "người bán", "nhân viên", "chủ shop"),
        (
            "nhiệt tình",
            "dễ thương",
            "tư vấn nhiệt tình",
            "phản hồi nhanh",
            "uy tín",
            "chu đáo",
            "đáng tin",
            "hỗ trợ tốt",
            "trả lời nhanh",
        ),
        (
            "không trả lời",
            "không phản hồi",
            "thái độ tệ",
            "lừa đảo",
            "không uy tín",
            "trả lời chậm",
            "không nhiệt tình",
            "gửi sai hàng",
            "gửi thiếu hàng",
            "không hỗ trợ",
            "không cho đổi trả",
        ),
    ),
    (
        ("giá", "giá cả", "giá tiền"),
        ("rẻ", "hợp lý", "phải chăng", "tốt", "ok", "quá rẻ so với chất lượng"),
        ("đắt", "quá đắt", "cao", "không đáng", "đắt so với chất lượng"),
    ),
    (
        ("thanh toán", "ứng dụng", "app", "trang web", "hoàn tiền"),
        ("dễ dàng", "nhanh", "tiện", "mượt", "ok"),
        ("lỗi", "bị trừ tiền hai lần", "chậm", "không được", "khó dùng", "bị treo"),
    ),
)
_VI_WHOLE = (
    (
        "sẽ ủng hộ shop",
        "sẽ mua lại",
        "nên mua",
        "rất hài lòng",
        "hài lòng",
        "5 sao",
        "đáng mua",
        "ưng lắm",
        "thích lắm",
        "mua lần hai rồi",
        "cảm ơn shop",
        "mọi người nên mua",
        "rất đáng tiền",
        "mua là không hối hận",
        "tuyệt vời",
        "quá ưng",
    ),
    (
        "không bao giờ mua lại",
        "không nên mua",
        "thất vọng",
        "phí tiền",
        "đừng mua",
        "1 sao",
        "muốn trả hàng",
        "tiền nào của nấy",
        "quá thất vọng",
        "không hài lòng",
        "chán",
        "mua lần đầu cũng là lần cuối",
        "bực mình",
        "tránh xa shop này",
    ),
)
_EN_ASPECTS = (
    (
        ("the item", "the product", "the quality", "the fabric", "the dress", "the shoes"),
        (
            "is great",
            "is good",
            "is as described",
            "looks nice",
            "is worth the money",
            "is perfect",
        ),
        ("is broken", "is poor", "is not as described", "is cheap junk", "is faulty", "is awful"),
    ),
    (
        ("delivery", "shipping", "the courier"),
        ("was fast", "was quick", "was on time"),
        ("was slow", "was late", "took forever", "lost my parcel"),
    ),
    (
        ("the seller", "customer service", "the shop"),
        ("was helpful", "replied quickly", "was friendly"),
        ("never replied", "was rude", "sent the wrong item", "refused a refund"),
    ),
)
_INTENSIFIERS = ("", "rất ", "quá ", "siêu ", "khá ")
_ENDINGS = ("", " lắm", " nha", " ạ", " nhé", "!", " 👍", " 😡")


def _clauses_vi(rng: random.Random) -> tuple[list[str], list[str]]:
    positive: list[str] = []
    negative: list[str] = []
    for subjects, good, bad in _VI_ASPECTS:
        for subject in subjects:
            positive += [f"{subject} {rng.choice(_INTENSIFIERS)}{verdict}" for verdict in good]
            negative += [f"{subject} {verdict}" for verdict in bad]
    return positive + list(_VI_WHOLE[0]), negative + list(_VI_WHOLE[1])


def _clauses_en() -> tuple[list[str], list[str]]:
    positive: list[str] = []
    negative: list[str] = []
    for subjects, good, bad in _EN_ASPECTS:
        positive += [f"{s} {v}" for s in subjects for v in good]
        negative += [f"{s} {v}" for s in subjects for v in bad]
    return positive, negative


def seed_phrases(seed: int = 7, pairs: int = 1500) -> tuple[list[str], list[int]]:
    """Texts and labels (1 positive, 0 negative): every clause alone, with an ending, and
    ``pairs`` two-clause reviews per polarity ("giao hàng nhanh, vải đẹp")."""
    rng = random.Random(seed)
    vi_pos, vi_neg = _clauses_vi(rng)
    en_pos, en_neg = _clauses_en()
    texts: list[str] = []
    labels: list[int] = []
    for clauses, label in ((vi_pos, 1), (vi_neg, 0), (en_pos, 1), (en_neg, 0)):
        for clause in clauses:
            ending = rng.choice((*_ENDINGS[:-2], _ENDINGS[-2 + (1 - label)]))
            texts += [clause, f"{clause}{ending}"]
            labels += [label, label]
    for faces, label in (("😍", 1), ("👍👍", 1), ("❤️❤️❤️", 1), ("😡", 0), ("👎👎", 0), ("😭😭", 0)):
        texts.append(faces)  # a review that is only emoji
        labels.append(label)
    for clauses, label in ((vi_pos, 1), (vi_neg, 0)):
        for _ in range(pairs):
            first, second = rng.sample(clauses, 2)
            texts.append(f"{first}, {second}")
            labels.append(label)
    return texts, labels
