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
    "init_done": {
        "en": "Workspace ready: {dir}\nImport events with `journeyscope ingest FILE -w {dir}`",
        "vi": "Workspace đã sẵn sàng: {dir}\nNhập sự kiện bằng `journeyscope ingest TỆP -w {dir}`",
    },
    "ingest_file": {
        "en": "{file}: {accepted} new, {duplicates} already stored, {rejected} rejected",
        "vi": "{file}: {accepted} mới, {duplicates} đã có, {rejected} bị loại",
    },
    "quarantined": {
        "en": "  rejected rows (line, field, reason): {path}",
        "vi": "  các dòng bị loại (dòng, trường, lý do): {path}",
    },
    "ingest_conflicts": {
        "en": "  warning: {n} rows reuse a stored event id with different content and were "
        "not stored (the first version is kept); e.g. (file:line: id) {examples}",
        "vi": "  cảnh báo: {n} dòng trùng mã sự kiện đã có nhưng khác nội dung nên không được "
        "lưu (giữ bản đầu tiên); ví dụ (tệp:dòng: mã) {examples}",
    },
    "resolve_normalise": {
        "en": "identity: normalising new identifiers…",
        "vi": "định danh: chuẩn hoá định danh mới…",
    },
    "resolve_link": {
        "en": "identity: linking identifiers into customers…",
        "vi": "định danh: liên kết định danh thành khách hàng…",
    },
    "resolve_store": {"en": "identity: saving customers…", "vi": "định danh: lưu khách hàng…"},
    "resolve_journeys": {
        "en": "identity: ordering journeys for analytics…",
        "vi": "định danh: sắp xếp hành trình cho phân tích…",
    },
    "resolved": {
        "en": "{customers} customers from {identifiers} identifiers; {events} events attributed, "
        "{unattributed} without a usable identifier",
        "vi": "{customers} khách hàng từ {identifiers} định danh; {events} sự kiện đã gắn khách, "
        "{unattributed} không có định danh dùng được",
    },
    "resolved_incremental": {
        "en": "{events} events resolved in {seconds:.2f} s: {customers} customers "
        "({new_customers} new, {customers_touched} touched — {grown} of them only grew — "
        "{merged} merged, {split} split)",
        "vi": "đã phân giải {events} sự kiện trong {seconds:.2f} giây: {customers} khách hàng "
        "({new_customers} mới, {customers_touched} bị chạm tới — {grown} trong đó chỉ thêm sự "
        "kiện — {merged} gộp, {split} tách)",
    },
    "resolved_in_full": {
        "en": "resolved in full: {why}",
        "vi": "đã phân giải toàn bộ: {why}",
    },
    "excluded_title": {
        "en": "Excluded from linking (over-merge guard or block)",
        "vi": "Bị loại khỏi liên kết (chống gộp nhầm hoặc bị chặn)",
    },
    "col_identifier": {"en": "Identifier", "vi": "Định danh"},
    "col_reason": {"en": "Reason", "vi": "Lý do"},
    "col_links": {"en": "Links", "vi": "Số liên kết"},
    "col_linked_type": {"en": "Mostly linked to", "vi": "Liên kết nhiều nhất với"},
    "reason_excluded": {"en": "over-merge guard", "vi": "chống gộp nhầm"},
    "reason_blocked": {"en": "blocked", "vi": "bị chặn"},
    "blocked": {
        "en": "Blocked {what}; run `journeyscope identity resolve` to split the customers",
        "vi": "Đã chặn {what}; chạy `journeyscope identity resolve` để tách khách hàng",
    },
    "unblocked": {
        "en": "Unblocked {what}; run `journeyscope identity resolve` to apply",
        "vi": "Đã bỏ chặn {what}; chạy `journeyscope identity resolve` để áp dụng",
    },
    "exported": {"en": "Wrote {n} rows to {path}", "vi": "Đã ghi {n} dòng vào {path}"},
    # API keys and the server (cli/keys.py, cli/serve.py)
    "key_created": {
        "en": "Key {id} ({role}) created. It is shown only once: store it safely.",
        "vi": "Đã tạo khoá {id} ({role}). Khoá chỉ hiện một lần: hãy cất giữ cẩn thận.",
    },
    "key_revoked": {"en": "Key {id} revoked", "vi": "Đã thu hồi khoá {id}"},
    "col_key_id": {"en": "Id", "vi": "Mã"},
    "col_key_name": {"en": "Name", "vi": "Tên"},
    "col_key_role": {"en": "Role", "vi": "Vai trò"},
    "col_key_created_at": {"en": "Created", "vi": "Tạo lúc"},
    "col_key_revoked_at": {"en": "Revoked", "vi": "Thu hồi lúc"},
    # web users (cli/users.py)
    "user_added": {
        "en": "User {email} ({role}) added",
        "vi": "Đã thêm người dùng {email} ({role})",
    },
    "user_role_set": {
        "en": "{email} is now {role}",
        "vi": "{email} giờ có vai trò {role}",
    },
    "user_password_set": {
        "en": "Password of {email} changed; their sessions have ended",
        "vi": "Đã đổi mật khẩu của {email}; các phiên đăng nhập của họ đã kết thúc",
    },
    "user_removed": {"en": "User {email} removed", "vi": "Đã xoá người dùng {email}"},
    "user_signed_out": {
        "en": "{email} signed out everywhere ({n} session(s) ended)",
        "vi": "{email} đã đăng xuất khỏi mọi nơi ({n} phiên đã kết thúc)",
    },
    "password_prompt": {"en": "Password: ", "vi": "Mật khẩu: "},
    "password_again": {"en": "Password again: ", "vi": "Nhập lại mật khẩu: "},
    "col_user_email": {"en": "E-mail", "vi": "E-mail"},
    "col_user_name": {"en": "Name", "vi": "Tên"},
    "col_user_role": {"en": "Role", "vi": "Vai trò"},
    "col_user_created_at": {"en": "Created", "vi": "Tạo lúc"},
    "col_user_locked_until": {"en": "Locked until", "vi": "Khoá đến"},
    "serve_listening": {
        "en": "Serving workspace {name} at {url}",
        "vi": "Đang phục vụ workspace {name} tại {url}",
    },
    "serve_docs": {"en": "API docs (OpenAPI): {url}", "vi": "Tài liệu API (OpenAPI): {url}"},
    "serve_web": {
        "en": "Web app (sign in as a user of `journeyscope users add`): {url}",
        "vi": "Ứng dụng web (đăng nhập bằng người dùng của `journeyscope users add`): {url}",
    },
    "demo_serve_web": {
        "en": "Open the web app at {url}/ and sign in as {email} with the password {password} "
        "(shown once; a new one at each demo)",
        "vi": "Mở ứng dụng web tại {url}/ và đăng nhập bằng {email} với mật khẩu {password} "
        "(chỉ hiện một lần; mỗi lần chạy demo có mật khẩu mới)",
    },
    "serve_collect": {
        "en": "Collecting events (Segment HTTP API, a write key): {url}",
        "vi": "Nhận sự kiện (Segment HTTP API, khoá write): {url}",
    },
    "serve_stop": {
        "en": "Press Ctrl+C (or send SIGTERM) to stop.",
        "vi": "Nhấn Ctrl+C (hoặc gửi SIGTERM) để dừng.",
    },
    "serve_stopped": {"en": "Server stopped.", "vi": "Đã dừng máy chủ."},
    "customer": {"en": "Customer", "vi": "Khách hàng"},
    "profile_line": {
        "en": "first seen {first}, last seen {last}; {events} events, {orders} orders, "
        "{refunds} refunds, net revenue {revenue}",
        "vi": "lần đầu {first}, gần nhất {last}; {events} sự kiện, {orders} đơn hàng, "
        "{refunds} lần hoàn/huỷ, doanh thu thuần {revenue}",
    },
    "stats_line": {
        "en": "{events} events, {customers} customers, {identifiers} identifiers; "
        "{first} … {last} ({zone})",
        "vi": "{events} sự kiện, {customers} khách hàng, {identifiers} định danh; "
        "{first} … {last} ({zone})",
    },
    "forgotten": {
        "en": "Deleted {events} events and {identifiers} identifiers; "
        "the audit log keeps counts only",
        "vi": "Đã xoá {events} sự kiện và {identifiers} định danh; "
        "nhật ký kiểm toán chỉ ghi số lượng",
    },
    "forgotten_nothing": {
        "en": "warning: nothing in this workspace matched {identifier} (check the spelling): "
        "no data was deleted; it is still on the suppression list, so later imports drop it",
        "vi": "cảnh báo: không có dữ liệu nào trong workspace khớp {identifier} (hãy kiểm tra "
        "cách viết): không xoá gì; định danh vẫn vào danh sách chặn, các lần nhập sau sẽ bỏ nó",
    },
    "forgotten_more": {
        "en": "Removed {quarantine} quarantined rows; {suppressed} identifiers added to the "
        "suppression list (later imports drop their rows)",
        "vi": "Đã xoá {quarantine} dòng trong thư mục cách ly; thêm {suppressed} định danh vào "
        "danh sách chặn (các lần nhập sau sẽ bỏ các dòng mang định danh đó)",
    },
    "unsuppressed": {
        "en": "{n} identifier taken off the suppression list; {remaining} remain",
        "vi": "Đã gỡ {n} định danh khỏi danh sách chặn; còn {remaining}",
    },
    "suppressed_dropped": {
        "en": "{n} rows kept out since",
        "vi": "{n} dòng đã bị chặn từ đó",
    },
    "ingest_suppressed": {
        "en": "{file}: {n} rows carry an identifier of a forgotten person and were not stored "
        "(see `journeyscope forget --list`)",
        "vi": "{file}: {n} dòng mang định danh của người đã bị xoá nên không được lưu "
        "(xem `journeyscope forget --list`)",
    },
    "demo_data_done": {
        "en": "Demo ready: {events} events, {customers} customers in workspace {ws}\nOpen {report}",
        "vi": "Bản demo đã sẵn sàng: {events} sự kiện, {customers} khách hàng "
        "trong workspace {ws}\nMở {report}",
    },
    "demo_serve_read": {
        "en": "A read key for the API (shown once): {secret}",
        "vi": "Khoá read cho API (chỉ hiện một lần): {secret}",
    },
    "demo_serve_write": {
        "en": "A write key to send events (shown once): {secret}",
        "vi": "Khoá write để gửi sự kiện (chỉ hiện một lần): {secret}",
    },
    "explain_head": {
        "en": "{identifier} → customer {customer} ({status})",
        "vi": "{identifier} → khách hàng {customer} ({status})",
    },
    "status_linked": {"en": "linked", "vi": "đã liên kết"},
    "status_excluded": {"en": "excluded", "vi": "bị loại"},
    "status_blocked": {"en": "blocked", "vi": "bị chặn"},
    "why_placeholder": {
        "en": "a placeholder, not a person's identifier (identity.deny), so it links nothing",
        "vi": "giá trị giữ chỗ, không phải định danh của một người (identity.deny), nên không "
        "liên kết gì",
    },
    "why_max_links": {
        "en": "linked to {n} distinct values of one type (more than identity.max_links = "
        "{limit}), so it links nothing",
        "vi": "liên kết với {n} giá trị khác nhau của một loại (nhiều hơn identity.max_links = "
        "{limit}), nên không liên kết gì",
    },
    "why_relative": {
        "en": "linked to {n} distinct values of one type, far more than almost every other "
        "identifier of its type (identity.relative_links), so it links nothing",
        "vi": "liên kết với {n} giá trị khác nhau của một loại, nhiều hơn hẳn gần như mọi định "
        "danh cùng loại (identity.relative_links), nên không liên kết gì",
    },
    "why_block": {
        "en": "blocked by `journeyscope identity block`",
        "vi": "bị chặn bởi `journeyscope identity block`",
    },
    "unit_s": {"en": "s", "vi": "giây"},
    "unit_min": {"en": "min", "vi": "phút"},
    "unit_h": {"en": "h", "vi": "giờ"},
    "unit_d": {"en": "d", "vi": "ngày"},
    "running_on_spark": {
        "en": "running on Spark (starting the session takes a few seconds)…",
        "vi": "đang chạy trên Spark (khởi động phiên mất vài giây)…",
    },
    "exclusion_is_step": {
        "en": "warning: {step} is both a step and an exclusion: every attempt that reaches "
        "that step is discarded (did you mean another event?)",
        "vi": "cảnh báo: {step} vừa là một bước vừa là sự kiện loại trừ: mọi lượt đi tới bước "
        "đó đều bị loại (có phải bạn muốn một sự kiện khác?)",
    },
    "step_empty": {
        "en": "warning: no customer reached step {step} in this period (the event exists: "
        "check the dates and filters)",
        "vi": "cảnh báo: không khách hàng nào đạt bước {step} trong khoảng thời gian này (sự "
        "kiện có tồn tại: hãy kiểm tra ngày và bộ lọc)",
    },
    "stale_identity": {
        "en": "warning: {n} events arrived after the last `identity resolve` and are not "
        "counted; run it again",
        "vi": "cảnh báo: {n} sự kiện đến sau lần `identity resolve` cuối và chưa được tính; "
        "hãy chạy lại",
    },
    "wrote_customers": {
        "en": "Wrote {n} customers to {path}",
        "vi": "Đã ghi {n} khách hàng vào {path}",
    },
    "funnel_title": {"en": "Funnel", "vi": "Phễu chuyển đổi"},
    "funnel_excluded": {
        "en": "{n} customers dropped: every attempt hit an excluded event",
        "vi": "{n} khách hàng bị loại: mọi lượt đều gặp sự kiện bị loại trừ",
    },
    "col_step": {"en": "Step", "vi": "Bước"},
    "col_period": {"en": "Period", "vi": "Kỳ"},
    "over_time_title": {
        "en": "{report} per {interval}: {measure}",
        "vi": "{report} theo {interval}: {measure}",
    },
    "interval_day": {"en": "day", "vi": "ngày"},
    "interval_week": {"en": "week", "vi": "tuần"},
    "interval_month": {"en": "month", "vi": "tháng"},
    "measure_conversion": {"en": "conversion from step 1", "vi": "chuyển đổi so với bước 1"},
    "measure_dropped_share": {"en": "drop-off", "vi": "tỷ lệ rời bỏ"},
    "measure_conversion_to_next": {
        "en": "conversion to the next stage",
        "vi": "chuyển sang giai đoạn sau",
    },
    "measure_retention": {"en": "retention", "vi": "tỷ lệ giữ chân"},
    "measure_count": {"en": "transitions", "vi": "số lượt chuyển"},
    "measure_conversions": {"en": "credited conversions", "vi": "chuyển đổi được ghi công"},
    "over_time_change": {
        "en": "In brackets: the change from the previous period.",
        "vi": "Trong ngoặc: thay đổi so với kỳ trước.",
    },
    "col_customers": {"en": "Customers", "vi": "Khách hàng"},
    "col_sessions": {"en": "Sessions", "vi": "Phiên"},
    "per_session_line": {
        "en": "Each journey is one session ({rule}): counts are sessions.",
        "vi": "Mỗi hành trình là một phiên ({rule}): số đếm là số phiên.",
    },
    "session_rule_gap": {"en": "gap {gap}", "vi": "nghỉ quá {gap}"},
    "session_rule_column": {"en": "session id {column}", "vi": "mã phiên {column}"},
    "col_conversion": {"en": "Of step 1", "vi": "So với bước 1"},
    "col_from_previous": {"en": "Of previous", "vi": "So với bước trước"},
    "col_median": {"en": "Median time", "vi": "Thời gian trung vị"},
    "paths_title": {"en": "What customers do next", "vi": "Khách hàng làm gì tiếp theo"},
    "sankey_title": {"en": "Journeys around {anchor}", "vi": "Hành trình quanh {anchor}"},
    "sessions_line": {
        "en": "{n} sessions, bounce rate {bounce}",
        "vi": "{n} phiên, tỷ lệ thoát {bounce}",
    },
    "col_from": {"en": "From", "vi": "Từ"},
    "col_to": {"en": "To", "vi": "Đến"},
    "col_count": {"en": "Count", "vi": "Số lần"},
    "current_stage": {"en": "Current stage: {stage}", "vi": "Giai đoạn hiện tại: {stage}"},
    "touchpoints_title": {"en": "Touchpoints", "vi": "Điểm chạm"},
    "insights_title": {
        "en": "What changed (biggest first; dates in {zone})",
        "vi": "Điều gì đã thay đổi (lớn nhất trước; ngày theo {zone})",
    },
    "insights_nothing": {
        "en": "Nothing changed significantly in {days} days of data "
        "(every key step, stage, event and slice was checked).",
        "vi": "Không có thay đổi đáng kể trong {days} ngày dữ liệu "
        "(đã kiểm tra mọi bước chính, giai đoạn, sự kiện và lát cắt).",
    },
    "insights_col_change": {"en": "What changed", "vi": "Thay đổi"},
    "insights_col_slice": {"en": "Where", "vi": "Ở đâu"},
    "insights_col_period": {"en": "When", "vi": "Khi nào"},
    "insights_col_affected": {"en": "Customers affected", "vi": "Khách bị ảnh hưởng"},
    "insights_col_evidence": {"en": "See the evidence", "vi": "Xem bằng chứng"},
    "insights_everyone": {"en": "everyone", "vi": "tất cả"},
    "insights_more": {
        "en": "… and {n} smaller changes (--json lists the top 25).",
        "vi": "… và {n} thay đổi nhỏ hơn (--json liệt kê 25 thay đổi đầu).",
    },
    "insights_seasonal": {
        "en": "{n} seasonal days (Tết, sale days, holidays) were expected to differ and not "
        "reported; workspace.yaml insights.calendar adds your own.",
        "vi": "{n} ngày theo mùa (Tết, ngày khuyến mãi, ngày lễ) vốn khác thường nên không "
        "được báo; thêm ngày riêng ở insights.calendar trong workspace.yaml.",
    },
    "col_stage": {"en": "Stage", "vi": "Giai đoạn"},
    "col_now": {"en": "There now", "vi": "Đang ở đây"},
    "col_stalled": {"en": "Stalled", "vi": "Đứng yên"},
    "col_to_next": {"en": "To next", "vi": "Sang bước sau"},
    "col_touchpoint": {"en": "Touchpoint", "vi": "Điểm chạm"},
    "col_converted": {"en": "Converted", "vi": "Chuyển đổi"},
    "col_dropped": {"en": "Dropped", "vi": "Rời bỏ"},
    "col_repeat": {"en": "Repeat contact", "vi": "Liên hệ lại"},
    "col_rating": {"en": "Rating after", "vi": "Đánh giá sau"},
    "cohorts_title": {"en": "Retention by cohort", "vi": "Tỷ lệ giữ chân theo nhóm"},
    "col_cohort": {"en": "Cohort", "vi": "Nhóm"},
    "churn_line": {
        "en": "{n} of {total} customers at risk of churning",
        "vi": "{n} / {total} khách hàng có nguy cơ rời bỏ",
    },
    "churn_method_bgnbd": {
        "en": "Churn risk: BG/NBD, 1 − P(alive), at risk from {threshold} (buyers only)",
        "vi": "Rủi ro rời bỏ: BG/NBD, 1 − P(còn mua), có nguy cơ từ {threshold} (chỉ khách đã mua)",
    },
    "churn_method_heuristic": {
        "en": "Churn risk: each customer's own gap between active days (heuristic)",
        "vi": "Rủi ro rời bỏ: theo khoảng cách giữa các ngày hoạt động của từng khách (ước lượng)",
    },
    "bgnbd_too_few_repeat_buyers": {
        "en": "note: BG/NBD needs at least {needed} customers who bought again; {repeat_buyers} "
        "did, so churn risk uses the heuristic",
        "vi": "lưu ý: BG/NBD cần ít nhất {needed} khách mua lại; chỉ có {repeat_buyers}, nên rủi "
        "ro rời bỏ dùng cách ước lượng",
    },
    "bgnbd_not_converged": {
        "en": "note: the BG/NBD fit did not converge, so churn risk uses the heuristic",
        "vi": "lưu ý: mô hình BG/NBD không hội tụ, nên rủi ro rời bỏ dùng cách ước lượng",
    },
    "bgnbd_title": {
        "en": "BG/NBD customer value — calibrated to {end}, next {days} days ({currency})",
        "vi": "Giá trị khách hàng BG/NBD — hiệu chỉnh đến {end}, {days} ngày tới ({currency})",
    },
    "bgnbd_params": {
        "en": "r = {r}, α = {alpha}, a = {a}, b = {b} (weeks); log-likelihood {ll}, "
        "{customers} buyers, {repeat} bought again",
        "vi": "r = {r}, α = {alpha}, a = {a}, b = {b} (tuần); log-likelihood {ll}, "
        "{customers} khách đã mua, {repeat} khách mua lại",
    },
    "bgnbd_spend": {
        "en": "Gamma-Gamma spend: p = {p}, q = {q}, γ = {gamma}; mean spend per purchase {mean}",
        "vi": "Chi tiêu Gamma-Gamma: p = {p}, q = {q}, γ = {gamma}; chi tiêu trung bình mỗi "
        "lần mua {mean}",
    },
    "bgnbd_no_spend": {
        "en": "No expected value: too few repeat buyers with revenue for Gamma-Gamma",
        "vi": "Không có giá trị kỳ vọng: quá ít khách mua lại có doanh thu cho Gamma-Gamma",
    },
    "col_p_alive": {"en": "P(alive)", "vi": "P(còn mua)"},
    "col_expected_purchases": {"en": "Expected purchases", "vi": "Số lần mua kỳ vọng"},
    "col_expected_value": {"en": "Expected value", "vi": "Giá trị kỳ vọng"},
    "col_repeat_purchases": {"en": "Repeat purchases", "vi": "Lần mua lại"},
    "col_contact": {"en": "Contact", "vi": "Liên hệ"},
    "seg_champions": {"en": "Champions", "vi": "Khách hàng tốt nhất"},
    "seg_loyal": {"en": "Loyal", "vi": "Trung thành"},
    "seg_potential_loyalist": {"en": "Potential loyalists", "vi": "Có thể trung thành"},
    "seg_new": {"en": "New", "vi": "Khách mới"},
    "seg_promising": {"en": "Promising", "vi": "Triển vọng"},
    "seg_needs_attention": {"en": "Needs attention", "vi": "Cần quan tâm"},
    "seg_about_to_sleep": {"en": "About to sleep", "vi": "Sắp ngủ đông"},
    "seg_cannot_lose": {"en": "Cannot lose", "vi": "Không thể để mất"},
    "seg_at_risk": {"en": "At risk", "vi": "Có nguy cơ"},
    "seg_hibernating": {"en": "Hibernating", "vi": "Ngủ đông"},
    "seg_others": {"en": "Others", "vi": "Khác"},
    "attribution_title": {"en": "Conversions credited", "vi": "Chuyển đổi được ghi nhận"},
    "col_channel": {"en": "Channel", "vi": "Kênh"},
    "col_time": {"en": "Time", "vi": "Thời điểm"},
    "col_event": {"en": "Event", "vi": "Sự kiện"},
    "col_events": {"en": "Events", "vi": "Sự kiện"},
    "col_revenue": {"en": "Revenue", "vi": "Doanh thu"},
    # journeyscope sentiment
    "sentiment_title": {"en": "Sentiment of {n} text(s)", "vi": "Cảm xúc của {n} văn bản"},
    "col_label": {"en": "Label", "vi": "Nhãn"},
    "col_score": {"en": "Score", "vi": "Điểm"},
    "col_aspects": {"en": "Aspects", "vi": "Khía cạnh"},
    "col_text": {"en": "Text", "vi": "Nội dung"},
    "sentiment_positive": {"en": "positive", "vi": "tích cực"},
    "sentiment_neutral": {"en": "neutral", "vi": "trung tính"},
    "sentiment_negative": {"en": "negative", "vi": "tiêu cực"},
    "aspect_delivery": {"en": "delivery", "vi": "giao hàng"},
    "aspect_packaging": {"en": "packaging", "vi": "đóng gói"},
    "aspect_product_quality": {"en": "product quality", "vi": "chất lượng sản phẩm"},
    "aspect_price": {"en": "price", "vi": "giá"},
    "aspect_service": {"en": "staff/service", "vi": "nhân viên/dịch vụ"},
    "aspect_payment": {"en": "payment", "vi": "thanh toán"},
    "aspect_app": {"en": "app/website", "vi": "ứng dụng/website"},
    "sentiment_adapt_kept": {
        "en": "Adapted on {trained} reviews; held-out macro-F1 {before} -> {after} "
        "({held_out} reviews): kept in the workspace, used by `sentiment -w`",
        "vi": "Đã điều chỉnh trên {trained} đánh giá; macro-F1 trên tập giữ lại {before} -> "
        "{after} ({held_out} đánh giá): đã lưu trong workspace, `sentiment -w` sẽ dùng",
    },
    "sentiment_adapt_not_kept": {
        "en": "Adapted on {trained} reviews, but held-out macro-F1 went {before} -> {after} "
        "({held_out} reviews): not kept, the shipped model stays",
        "vi": "Đã điều chỉnh trên {trained} đánh giá nhưng macro-F1 trên tập giữ lại "
        "{before} -> {after} ({held_out} đánh giá): không lưu, vẫn dùng mô hình gốc",
    },
    # customer segments (journeyscope segment ..., docs/analytics.md "Segments")
    "segments_title": {"en": "Customer segments", "vi": "Phân khúc khách hàng"},
    "col_segment_kind": {"en": "Kind", "vi": "Loại"},
    "col_segment_rule": {"en": "Rule or list", "vi": "Quy tắc hoặc danh sách"},
    "segment_static": {"en": "list of {n}", "vi": "danh sách {n}"},
    "segment_added": {
        "en": "Segment {name}: {n} customers now",
        "vi": "Phân khúc {name}: hiện có {n} khách hàng",
    },
    "segment_removed": {"en": "Removed segment {name}", "vi": "Đã xoá phân khúc {name}"},
    "segment_saved": {
        "en": "Saved {n} customers as segment {name}",
        "vi": "Đã lưu {n} khách hàng thành phân khúc {name}",
    },
    "segment_size": {
        "en": "{n} customers, {share} of {total}",
        "vi": "{n} khách hàng, {share} trên tổng {total}",
    },
    "segment_unmatched": {
        "en": "{n} of {listed} listed entries match no customer now",
        "vi": "{n} trên {listed} mục trong danh sách hiện không khớp khách hàng nào",
    },
    "segment_orders": {
        "en": "Orders: {orders} · revenue {revenue} · typical order {typical}",
        "vi": "Đơn hàng: {orders} · doanh thu {revenue} · đơn điển hình {typical}",
    },
    "segment_no_orders": {"en": "no orders", "vi": "chưa có đơn"},
    "segment_channels": {"en": "Channel mix", "vi": "Các kênh"},
    "segment_products": {"en": "Top {prop}", "vi": "{prop} nổi bật"},
    "segment_events": {"en": "What they do", "vi": "Họ làm gì"},
    "col_share_customers": {"en": "Of the segment", "vi": "Trong phân khúc"},
    "col_share_actions": {"en": "Of actions", "vi": "Trong hoạt động"},
    "col_value": {"en": "Value", "vi": "Giá trị"},
    "col_purchases": {"en": "Purchases", "vi": "Lượt mua"},
    "suggest_rule": {
        "en": "  rule: {rule} (keeps {recall} % of these customers; "
        "{precision} % of those it keeps are)",
        "vi": "  quy tắc: {rule} (giữ {recall} % nhóm này; {precision} % khách nó giữ thuộc nhóm)",
    },
    "persona_no_segment": {
        "en": "{id} has no segment_rule or segment_name: add one to see its customers",
        "vi": "{id} chưa có segment_rule hay segment_name: thêm vào để xem khách hàng của nó",
    },
}
