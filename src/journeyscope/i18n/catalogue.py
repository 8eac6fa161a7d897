"""User-facing CLI messages. Keys are stable; every key has English and Vietnamese."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "valid": {"en": "{file}: valid journey map", "vi": "{file}: bản đồ hành trình hợp lệ"},
    "valid_persona": {"en": "{file}: valid persona", "vi": "{file}: chân dung khách hàng hợp lệ"},
    "problems": {
        "en": "{errors} error(s), {warnings} warning(s)",
        "vi": "{errors} lỗi, {warnings} cảnh báo",
    },
    "wrote": {"en": "Wrote {path}", "vi": "Đã ghi {path}"},
    "rendering": {"en": "Rendering {path}", "vi": "Đang xuất {path}"},
    "no_changes": {"en": "No changes", "vi": "Không có thay đổi"},
    "changes": {"en": "{n} change(s)", "vi": "{n} thay đổi"},
    "col_id": {"en": "ID", "vi": "Mã"},
    "col_type": {"en": "Type", "vi": "Loại"},
    "col_title": {"en": "Title", "vi": "Tiêu đề"},
    "col_stages": {"en": "Stages", "vi": "Giai đoạn"},
    "col_name": {"en": "Name", "vi": "Tên"},
    "col_change": {"en": "Change", "vi": "Thay đổi"},
    "col_where": {"en": "Where", "vi": "Vị trí"},
    "col_old": {"en": "Old", "vi": "Cũ"},
    "col_new": {"en": "New", "vi": "Mới"},
    "templates_title": {"en": "Journey map templates", "vi": "Các mẫu bản đồ hành trình"},
    "stage_models_title": {"en": "Stage models", "vi": "Các mô hình giai đoạn"},
    "personas_title": {"en": "Persona library", "vi": "Thư viện chân dung khách hàng"},
    "demo_done": {
        "en": "Demo ready: {n} maps rendered in {dir}\nOpen {index}",
        "vi": "Bản demo đã sẵn sàng: {n} bản đồ trong {dir}\nMở {index}",
    },
    "unknown_format": {
        "en": "cannot tell the output format from {path!r}",
        "vi": "không xác định được định dạng đầu ra từ {path!r}",
    },
    "unknown_format_hint": {
        "en": "end the output name with one of: {formats}",
        "vi": "tên tệp đầu ra cần kết thúc bằng một trong: {formats}",
    },
}
