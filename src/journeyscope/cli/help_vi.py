"""Vietnamese help texts, keyed by the English text they translate (words, not line breaks).

A help text missing here is shown in English; tests/test_cli_polish.py fails and names it,
so a new option gets its Vietnamese help in the same change.
"""

from __future__ import annotations

_FIRST_DAY = "Ngày đầu (YYYY-MM-DD hoặc thời điểm ISO)."
_LAST_DAY = "Ngày cuối, tính cả ngày đó (YYYY-MM-DD hoặc thời điểm ISO)."

HELP_VI: dict[str, str] = {
    # the command and shared options
    "JourneyScope: customer-journey maps and journey data.": (
        "JourneyScope: bản đồ hành trình khách hàng và dữ liệu hành trình."
    ),
    "Language of messages, tables and help: en or vi (default: JOURNEYSCOPE_LANG, else en). "
    "Accepted before or after the command.": (
        "Ngôn ngữ của thông báo, bảng và trợ giúp: en hoặc vi (mặc định: JOURNEYSCOPE_LANG, "
        "không có thì en). Đặt trước hoặc sau lệnh đều được."
    ),
    "Workspace folder (default: $JOURNEYSCOPE_WORKSPACE).": (
        "Thư mục workspace (mặc định: $JOURNEYSCOPE_WORKSPACE)."
    ),
    "Print machine-readable JSON.": "In JSON cho máy đọc.",
    "With --interval: the line chart (.svg or .png).": (
        "Với --interval: biểu đồ đường (.svg hoặc .png)."
    ),
    "One row per period (workspace time zone, ISO weeks from Monday), with the change from "
    "the previous period; -o FILE.svg draws it as lines.": (
        "Mỗi kỳ một dòng (múi giờ của workspace, tuần ISO bắt đầu thứ Hai), kèm thay đổi so "
        "với kỳ trước; -o TỆP.svg vẽ thành biểu đồ đường."
    ),
    "Overwrite the output if it exists.": "Ghi đè tệp ra nếu đã có.",
    "What one journey is: each customer's whole history, or each session.": (
        "Một hành trình là gì: toàn bộ lịch sử của mỗi khách hàng (customer), hay mỗi phiên "
        "(session)."
    ),
    "Inactivity that ends a session (default: workspace.yaml sessions.gap, 30m).": (
        "Thời gian không hoạt động kết thúc một phiên (mặc định: sessions.gap trong "
        "workspace.yaml, 30m)."
    ),
    "With --per session: a field holding the session id (properties.session_id), instead "
    "of the gap.": (
        "Với --per session: trường chứa mã phiên (properties.session_id), thay cho khoảng nghỉ."
    ),
    "Variants: repeats of one step in a row count as one step (--keep-repeats: each counts).": (
        "Biến thể: các lần lặp liên tiếp của một bước tính là một bước (--keep-repeats: "
        "tính từng lần)."
    ),
    "First day (YYYY-MM-DD or ISO time, workspace time zone).": (
        "Ngày đầu (YYYY-MM-DD hoặc thời điểm ISO, theo múi giờ của workspace)."
    ),
    "First day (YYYY-MM-DD or ISO time).": _FIRST_DAY,
    "Last day, included (YYYY-MM-DD or ISO time).": _LAST_DAY,
    "Event filter, e.g. \"channel in (shopee, lazada) and category = 'túi xách'\".": (
        "Lọc sự kiện, ví dụ \"channel in (shopee, lazada) and category = 'túi xách'\"."
    ),
    "Break down by a field (channel, touchpoint, a property).": (
        "Chia nhỏ theo một trường (channel, touchpoint, một thuộc tính)."
    ),
    "duckdb (embedded, the default) or spark; else workspace.yaml.": (
        "duckdb (nhúng sẵn, mặc định) hoặc spark; không chọn thì theo workspace.yaml."
    ),
    "local[2], spark://host:7077, yarn (default local[*]).": (
        "local[2], spark://host:7077, yarn (mặc định local[*])."
    ),
    "Spark: the events as an export-parquet dataset (folder/URI).": (
        "Spark: sự kiện dạng dataset của export-parquet (thư mục/URI)."
    ),
    # workspace and data
    "Create a workspace: a folder with the DuckDB database, workspace.yaml and maps/.": (
        "Tạo workspace: một thư mục gồm cơ sở dữ liệu DuckDB, workspace.yaml và maps/."
    ),
    "Zone for times without offset (IANA name).": (
        "Múi giờ cho thời điểm không ghi độ lệch (tên IANA)."
    ),
    "Default currency (ISO 4217 code).": "Tiền tệ mặc định (mã ISO 4217).",
    "Default language: vi or en.": "Ngôn ngữ mặc định: vi hoặc en.",
    "Import events. Exit 0: all rows stored; 1: some rows quarantined; 2: a file refused.": (
        "Nhập sự kiện. Mã thoát 0: lưu mọi dòng; 1: một số dòng bị cách ly; 2: một tệp bị từ chối."
    ),
    "CSV/TSV, JSON Lines, Parquet or XLSX files.": "Tệp CSV/TSV, JSON Lines, Parquet hoặc XLSX.",
    "Mapping file (YAML/JSON).": "Tệp ánh xạ cột (YAML/JSON).",
    "Text encoding of CSV/JSON Lines (utf-16, cp1258, ...); default: detected from a "
    "byte-order mark, else UTF-8.": (
        "Bảng mã của CSV/JSON Lines (utf-16, cp1258, ...); mặc định: nhận biết từ dấu BOM, "
        "không có thì UTF-8."
    ),
    "Events, customers, identifiers, first/last event, per channel.": (
        "Số sự kiện, khách hàng, định danh, sự kiện đầu/cuối, theo từng kênh."
    ),
    "Write every event as Parquet partitioned by local date (date=YYYY-MM-DD/), for a data "
    "lake, Spark or a warehouse.": (
        "Ghi mọi sự kiện ra Parquet chia theo ngày địa phương (date=YYYY-MM-DD/), cho data "
        "lake, Spark hoặc kho dữ liệu."
    ),
    "Folder for the dataset.": "Thư mục cho dataset.",
    "Replace the folder if it exists.": "Thay thư mục nếu đã có.",
    "Delete every event, identifier and profile of a person and keep them out of later "
    "imports (Decree 13/2023); --list shows the suppression list and the deletion log.": (
        "Xoá mọi sự kiện, định danh và hồ sơ của một người và chặn họ ở các lần nhập sau (Nghị "
        "định 13/2023); --list cho xem danh sách chặn và nhật ký xoá."
    ),
    "TYPE:VALUE of the person.": "LOẠI:GIÁ_TRỊ của người đó.",
    "Show the suppression list (hashes only) and the log.": (
        "Xem danh sách chặn (chỉ mã băm) và nhật ký."
    ),
    "Let this identifier be imported again.": "Cho phép nhập lại định danh này.",
    "Stored events: take them out.": "Sự kiện đã lưu: xuất ra ngoài.",
    "Write every stored event with our field names (and its customer_id).": (
        "Ghi mọi sự kiện đã lưu với tên trường của chúng tôi (kèm customer_id)."
    ),
    "FILE.parquet or FILE.csv": "TỆP.parquet hoặc TỆP.csv",
    # demo
    "Generate a Vietnamese omnichannel retailer's data, import it, stitch it, draw the maps.": (
        "Sinh dữ liệu của một nhà bán lẻ đa kênh Việt Nam, nhập, gộp danh tính, vẽ bản đồ."
    ),
    "Folder for the report and maps.": "Thư mục cho báo cáo và bản đồ.",
    "People to simulate (about 8 events each).": "Số người mô phỏng (khoảng 8 sự kiện mỗi người).",
    "Same seed, same data.": "Cùng seed, cùng dữ liệu.",
    "Map formats, comma-separated: html,mmd,pdf,png,svg,xlsx": (
        "Định dạng bản đồ, cách nhau bằng dấu phẩy: html,mmd,pdf,png,svg,xlsx"
    ),
    "Then serve the workspace (REST API, collection) until Ctrl+C; not with --json.": (
        "Sau đó phục vụ workspace (REST API, nhận sự kiện) đến khi nhấn Ctrl+C; "
        "không áp dụng với --json."
    ),
    "Port to serve on (the next free one if taken).": (
        "Cổng phục vụ (cổng trống kế tiếp nếu đã bị dùng)."
    ),
    # maps
    "Journey maps: create, validate, render, diff.": (
        "Bản đồ hành trình: tạo, kiểm tra, vẽ, so sánh."
    ),
    "Print (or write) the JSON Schema of journey maps or personas.": (
        "In (hoặc ghi) JSON Schema của bản đồ hành trình hoặc chân dung khách hàng."
    ),
    "Write here instead of stdout.": "Ghi vào đây thay vì stdout.",
    "Persona schema instead.": "Lấy schema của chân dung khách hàng.",
    "List the built-in map templates.": "Liệt kê các mẫu bản đồ có sẵn.",
    "Create a map from a template (or a blank one from a stage model).": (
        "Tạo bản đồ từ một mẫu (hoặc bản đồ trống từ một mô hình giai đoạn)."
    ),
    "The new map file (.yaml/.json).": "Tệp bản đồ mới (.yaml/.json).",
    "Template id.": "Mã mẫu.",
    "Start a blank map from a stage model instead.": (
        "Bắt đầu bản đồ trống từ một mô hình giai đoạn."
    ),
    "Map type for --stage-model.": "Loại bản đồ cho --stage-model.",
    "Language of the new map: en, vi, or both (bilingual); en or vi also sets the language "
    "of messages.": (
        "Ngôn ngữ của bản đồ mới: en, vi hoặc both (song ngữ); en hoặc vi cũng đặt ngôn ngữ "
        "của thông báo."
    ),
    "Check maps; print one `FILE:LINE:COL: field: message` line per problem.": (
        "Kiểm tra bản đồ; in một dòng `TỆP:DÒNG:CỘT: trường: thông báo` cho mỗi lỗi."
    ),
    "Map files (.yaml/.json).": "Tệp bản đồ (.yaml/.json).",
    "Extra persona folder(s); `personas/` beside the map is always searched.": (
        "Thư mục chân dung thêm; luôn tìm cả `personas/` cạnh bản đồ."
    ),
    "Warnings fail too.": "Cảnh báo cũng tính là lỗi.",
    "Also check that the stages, touchpoints and filters bound cells name exist in this "
    "workspace.": (
        "Kiểm tra thêm rằng giai đoạn, điểm chạm và bộ lọc mà các ô gắn dữ liệu nêu có trong "
        "workspace này."
    ),
    "Fill bound cells (`metric:`) from this workspace; without it they show their "
    "expression, marked not evaluated.": (
        "Điền số cho các ô gắn dữ liệu (`metric:`) từ workspace này; không có thì ô hiện biểu "
        "thức, ghi chú chưa tính."
    ),
    "Badge a value from fewer customers as few.": (
        "Gắn nhãn ít khách hàng cho số tính từ ít khách hơn mức này."
    ),
    "Badge a value as stale when the newest event is older than this before --to (or today).": (
        "Gắn nhãn dữ liệu cũ khi sự kiện mới nhất cũ hơn số ngày này so với --to (hoặc hôm nay)."
    ),
    "Generate a map from the data: current state (stages, touchpoints, numbers, emotions, "
    "pains with quotes, opportunities) or a day in the life (when, on what and how customers "
    "interact; the moments to reach them). --lang sets the map's language.": (
        "Tạo bản đồ từ dữ liệu: hiện trạng (giai đoạn, điểm chạm, con số, cảm xúc, điểm đau "
        "kèm trích dẫn, cơ hội) hoặc một ngày của khách hàng (khi nào, trên thiết bị và kênh "
        "nào, làm gì; thời điểm tiếp cận khách). --lang chọn ngôn ngữ của bản đồ."
    ),
    "current_state (stages from --model) or day_in_the_life (alias day_in_life: blocks of "
    "the day from the events' times).": (
        "current_state (giai đoạn theo --model) hoặc day_in_the_life (viết tắt day_in_life: "
        "các khung giờ trong ngày theo thời điểm của sự kiện)."
    ),
    "Id of the new map (current-state, day-in-the-life).": (
        "Mã của bản đồ mới (current-state, day-in-the-life)."
    ),
    "How real journeys follow a designed map whose touchpoints name events: who follows the "
    "path, skipped stages, loops, touchpoints not on the map, the biggest loss.": (
        "Hành trình thực tế đi theo bản đồ thiết kế (điểm chạm có gắn sự kiện) ra sao: ai đi "
        "đúng hành trình, giai đoạn bị bỏ qua, quay lại, điểm chạm không có trên bản đồ, chỗ "
        "mất nhiều khách nhất."
    ),
    "The designed map.": "Bản đồ thiết kế.",
    "Workspace of the real journeys.": "Workspace chứa hành trình thực tế.",
    "Also draw the map with the actual numbers on it (.svg, .png, .html, .pdf).": (
        "Vẽ thêm bản đồ kèm số liệu thực tế (.svg, .png, .html, .pdf)."
    ),
    "Language of the --svg map (default: the map's).": (
        "Ngôn ngữ của bản đồ --svg (mặc định: ngôn ngữ của bản đồ)."
    ),
    "Workspace to draw the map from.": "Không gian làm việc để vẽ bản đồ.",
    "Stage model with stage rules.": "Mô hình giai đoạn có quy tắc giai đoạn.",
    "The persona the map is drawn for.": "Chân dung khách hàng mà bản đồ vẽ cho.",
    "Id of the new map.": "Mã của bản đồ mới.",
    "Render a map to SVG, self-contained HTML, PDF, PNG, Excel or Mermaid.": (
        "Vẽ bản đồ ra SVG, HTML độc lập, PDF, PNG, Excel hoặc Mermaid."
    ),
    "Map file.": "Tệp bản đồ.",
    "Output file(s): .svg .html .pdf .png .xlsx .mmd": "Tệp ra: .svg .html .pdf .png .xlsx .mmd",
    "Language of the rendered map (default: the map's `language`).": (
        "Ngôn ngữ của bản đồ vẽ ra (mặc định: `language` của bản đồ)."
    ),
    "Read a map back from Excel or Mermaid into a YAML/JSON document.": (
        "Đọc lại bản đồ từ Excel hoặc Mermaid thành tài liệu YAML/JSON."
    ),
    ".xlsx grid or Mermaid journey (.mmd).": "Bảng .xlsx hoặc Mermaid journey (.mmd).",
    "The map document (.yaml/.json).": "Tài liệu bản đồ (.yaml/.json).",
    "The workbook's sheet to read (default: the first laid out as a map).": (
        "Trang tính cần đọc (mặc định: trang đầu tiên có bố cục bản đồ)."
    ),
    "List what changed between two versions of a map (stages, cells, emotions, personas).": (
        "Liệt kê thay đổi giữa hai phiên bản bản đồ (giai đoạn, ô, cảm xúc, chân dung)."
    ),
    "The earlier version.": "Phiên bản trước.",
    "The later version.": "Phiên bản sau.",
    # stages
    "Stage models (AIDA, retail 5, ...), and where customers are in them (-w DIR).": (
        "Mô hình giai đoạn (AIDA, bán lẻ 5, ...) và khách hàng đang ở đâu trong đó (-w THƯ_MỤC)."
    ),
    "YAML file(s) with custom stage models.": "Tệp YAML chứa mô hình giai đoạn riêng.",
    "List stage models, built-in and custom.": "Liệt kê mô hình giai đoạn, có sẵn và riêng.",
    "Show one stage model with its stage descriptions.": (
        "Xem một mô hình giai đoạn với mô tả từng giai đoạn."
    ),
    "Stage model id.": "Mã mô hình giai đoạn.",
    "Stage model id (see `stages list`).": "Mã mô hình giai đoạn (xem `stages list`).",
    "Stage rules YAML (built-in: retail5, current5, aida).": (
        "Tệp YAML quy tắc giai đoạn (có sẵn: retail5, current5, aida)."
    ),
    "Inactivity after which a customer is stalled.": (
        "Thời gian không hoạt động để coi khách hàng là đứng yên."
    ),
    "One customer's stage timeline.": "Dòng thời gian giai đoạn của một khách hàng.",
    "Every customer's current stage and stage dates (CSV).": (
        "Giai đoạn hiện tại và ngày vào từng giai đoạn của mọi khách hàng (CSV)."
    ),
    "Every customer's current stage and stage dates (CSV); with --interval, the line chart "
    "(.svg or .png).": (
        "Giai đoạn hiện tại và ngày vào từng giai đoạn của mọi khách hàng (CSV); với "
        "--interval, biểu đồ đường (.svg hoặc .png)."
    ),
    # personas
    "Personas: the reusable library.": "Chân dung khách hàng: thư viện dùng lại.",
    "List the persona library (built-in examples plus your folders).": (
        "Liệt kê thư viện chân dung (mẫu có sẵn và thư mục của bạn)."
    ),
    "Your persona folder(s) to add.": "Thư mục chân dung của bạn để thêm vào.",
    "Copy a library persona into a file of your own to edit.": (
        "Chép một chân dung trong thư viện ra tệp của bạn để sửa."
    ),
    "Id of a library persona to copy.": "Mã chân dung trong thư viện cần chép.",
    "Your copy (.yaml/.json).": "Bản chép của bạn (.yaml/.json).",
    "Check persona documents.": "Kiểm tra tài liệu chân dung khách hàng.",
    "Persona files (.yaml/.json).": "Tệp chân dung (.yaml/.json).",
    "Render a persona as a card.": "Vẽ chân dung khách hàng thành thẻ.",
    "Persona file.": "Tệp chân dung.",
    ".svg, .html or .png": ".svg, .html hoặc .png",
    "Language of the card (default: --lang).": "Ngôn ngữ của thẻ (mặc định: --lang).",
    # identity and customers
    "Identity resolution: who is who.": "Phân giải danh tính: ai là ai.",
    "Stitch events into customers (deterministic links, guarded against over-merging). With "
    "--engine spark it reads raw events from --source and writes them, with their customers, "
    "as the --dataset the Spark reports read.": (
        "Gộp sự kiện thành khách hàng (liên kết xác định, có chặn gộp nhầm). Với --engine "
        "spark, lệnh đọc sự kiện thô từ --source và ghi chúng, kèm khách hàng, thành --dataset "
        "cho các báo cáo trên Spark."
    ),
    "Spark: the raw events (Parquet folder/URI) to resolve.": (
        "Spark: sự kiện thô (thư mục/URI Parquet) cần phân giải."
    ),
    "Spark: where to write the resolved events dataset.": (
        "Spark: nơi ghi dataset sự kiện đã phân giải."
    ),
    "Spark: replace --dataset whatever it holds.": "Spark: thay --dataset dù đang chứa gì.",
    "Resolve only what the events stored since the last resolve touch (the same answer; a "
    "full resolve when it cannot be exact).": (
        "Chỉ phân giải phần mà các sự kiện lưu từ lần phân giải trước chạm tới (cùng kết quả; "
        "phân giải toàn bộ khi không thể chính xác)."
    ),
    "Show the chain of links that put an identifier in its customer.": (
        "Xem chuỗi liên kết đưa một định danh vào khách hàng của nó."
    ),
    "TYPE:VALUE, e.g. phone:0903123456": "LOẠI:GIÁ_TRỊ, ví dụ phone:0903123456",
    "Stop an identifier (or one pair) from linking; the next resolve splits the customers.": (
        "Chặn một định danh (hoặc một cặp) liên kết; lần phân giải sau sẽ tách khách hàng."
    ),
    "TYPE:VALUE, or two of them for one pair.": "LOẠI:GIÁ_TRỊ, hoặc hai cái cho một cặp.",
    "Remove the block instead.": "Gỡ chặn.",
    "List the blocks in force.": "Liệt kê các lệnh chặn đang có hiệu lực.",
    "Write identifier_type,identifier_value,customer_id for every linked identifier.": (
        "Ghi identifier_type,identifier_value,customer_id cho mọi định danh đã liên kết."
    ),
    "FILE.csv": "TỆP.csv",
    "Customer profiles and journeys.": "Hồ sơ và hành trình khách hàng.",
    "A customer's identifiers, first/last seen, channels, orders, revenue and journey.": (
        "Định danh, lần đầu/cuối xuất hiện, kênh, đơn hàng, doanh thu và hành trình của một "
        "khách hàng."
    ),
    "Customer id, or any identifier TYPE:VALUE.": "Mã khách hàng, hoặc định danh LOẠI:GIÁ_TRỊ.",
    "Most timeline events to show.": "Số sự kiện tối đa trên dòng thời gian.",
    # reports
    "Customers reaching each step within the window (PostHog / ClickHouse semantics).": (
        "Số khách hàng đạt từng bước trong cửa sổ thời gian (theo cách của PostHog / ClickHouse)."
    ),
    "Comma-separated steps; a step may carry a filter: product_view[category=bags].": (
        "Các bước cách nhau bằng dấu phẩy; một bước có thể kèm bộ lọc: product_view[category=bags]."
    ),
    "Conversion window from step 1: 30m, 12h, 7d.": (
        "Cửa sổ chuyển đổi tính từ bước 1: 30m, 12h, 7d."
    ),
    "Funnel semantics: ordered, clickhouse, strict_order, strict_deduplication, "
    "strict_increase, unordered.": (
        "Cách tính phễu: ordered, clickhouse, strict_order, strict_deduplication, "
        "strict_increase, unordered."
    ),
    "An event that drops an attempt when it happens inside it.": (
        "Sự kiện làm hỏng một lượt khi xảy ra bên trong lượt đó."
    ),
    "Export customers who reached STEP (a name, or its number) but not the next.": (
        "Xuất khách hàng đạt BƯỚC (tên, hoặc số thứ tự) nhưng không đạt bước sau."
    ),
    "CSV for --dropped-at; with --interval, the line chart (.svg or .png).": (
        "CSV cho --dropped-at; với --interval, biểu đồ đường (.svg hoặc .png)."
    ),
    "Also draw the funnel as .svg or .png.": "Vẽ thêm phễu ra .svg hoặc .png.",
    "Time-to-convert histogram between steps A,B (1-based).": (
        "Biểu đồ thời gian chuyển đổi giữa bước A,B (đếm từ 1)."
    ),
    "Directly-follows graph, top journeys, Sankey, sessions and bounce rate.": (
        "Đồ thị nối tiếp trực tiếp, hành trình phổ biến, Sankey, phiên và tỷ lệ thoát."
    ),
    "What a step is: event, channel, touchpoint, channel_event.": (
        "Một bước là gì: event, channel, touchpoint, channel_event."
    ),
    "Sankey: the steps after this event.": "Sankey: các bước sau sự kiện này.",
    "Sankey: the steps leading to this event.": "Sankey: các bước dẫn đến sự kiện này.",
    "Sankey: how many steps.": "Sankey: bao nhiêu bước.",
    "How many variants and edges to print.": "Số biến thể và cạnh cần in.",
    "Inactivity that ends a session.": "Thời gian không hoạt động kết thúc một phiên.",
    "Draw the Sankey (needs --from or --to) as .svg or .png.": (
        "Vẽ Sankey (cần --from hoặc --to) ra .svg hoặc .png."
    ),
    "A field to break numbers down by (repeat it); default: insights.slices.": (
        "Trường dùng để chia nhỏ số liệu (lặp lại được); mặc định: insights.slices."
    ),
    "Only changes still going on or ending after this day (your last look).": (
        "Chỉ các thay đổi còn đang diễn ra hoặc kết thúc sau ngày này (lần xem trước của bạn)."
    ),
    "Scan every key step, stage, event and slice; list what changed, biggest first.": (
        "Quét mọi bước chính, giai đoạn, sự kiện và lát cắt; liệt kê điều đã thay đổi, "
        "lớn nhất trước."
    ),
    "low, medium or high (default: workspace.yaml insights.sensitivity, medium).": (
        "low, medium hoặc high (mặc định: insights.sensitivity trong workspace.yaml, medium)."
    ),
    "Per touchpoint: reach, conversion after it, drop-off, repeat contacts, ratings.": (
        "Theo điểm chạm: độ phủ, chuyển đổi sau đó, rời bỏ, liên hệ lặp lại, đánh giá."
    ),
    "The event that counts as converting.": "Sự kiện được tính là chuyển đổi.",
    "Window after a touch (converted / dropped / rating).": (
        "Cửa sổ sau một lần chạm (chuyển đổi / rời bỏ / đánh giá)."
    ),
    "A second contact within this is a repeat.": (
        "Liên hệ lần hai trong khoảng này là liên hệ lặp lại."
    ),
    "Hide touchpoints with fewer customers.": "Ẩn điểm chạm có ít khách hàng hơn.",
    "Cohort retention, RFM segments and churn risk with a reason per customer.": (
        "Giữ chân theo nhóm, phân khúc RFM và nguy cơ rời bỏ kèm lý do cho từng khách hàng."
    ),
    "Cohort period: day, week, month.": "Chu kỳ nhóm: day, week, month.",
    "Cohorts by the first of this event.": "Chia nhóm theo lần đầu có sự kiện này.",
    "Count as retained only this event.": "Chỉ tính là giữ chân khi có sự kiện này.",
    "The event RFM counts as a purchase.": "Sự kiện RFM tính là mua hàng.",
    "Churn risk from which a customer is at risk.": (
        "Mức nguy cơ rời bỏ từ đó khách hàng bị coi là có nguy cơ."
    ),
    "Write every customer's RFM and churn risk (CSV).": (
        "Ghi RFM và nguy cơ rời bỏ của mọi khách hàng (CSV)."
    ),
    "Write every customer's RFM and churn risk (CSV); with --interval, the line chart (.svg "
    "or .png).": (
        "Ghi RFM và nguy cơ rời bỏ của mọi khách hàng (CSV); với --interval, biểu đồ đường "
        "(.svg hoặc .png)."
    ),
    "Cohort heatmap as .svg or .png.": "Bản đồ nhiệt theo nhóm ra .svg hoặc .png.",
    "Churn risk: heuristic (own rhythm) or bgnbd (BG/NBD, with customer value).": (
        "Nguy cơ rời bỏ: heuristic (nhịp riêng) hoặc bgnbd (BG/NBD, kèm giá trị khách hàng)."
    ),
    "bgnbd: purchases and value expected over this period.": (
        "bgnbd: số lần mua và giá trị kỳ vọng trong khoảng thời gian này."
    ),
    "Which channels earn the conversions: rule-based, time decay, exact Markov, Shapley.": (
        "Kênh nào mang lại chuyển đổi: theo quy tắc, suy giảm theo thời gian, Markov chính xác, "
        "Shapley."
    ),
    "Aggregated paths (CSV) instead of a workspace's journeys.": (
        "Đường đi đã gộp (CSV) thay cho hành trình trong workspace."
    ),
    "One of: first, last, linear, position, time_decay, markov, shapley.": (
        "Một trong: first, last, linear, position, time_decay, markov, shapley."
    ),
    "Markov order: 1, 2 or 3.": "Bậc Markov: 1, 2 hoặc 3.",
    "Several models side by side: first,last,markov,…": (
        "Nhiều mô hình cạnh nhau: first,last,markov,…"
    ),
    "The event that converts (workspace).": "Sự kiện chuyển đổi (workspace).",
    "Touches up to this long before a conversion.": (
        "Các lần chạm trong khoảng này trước chuyển đổi."
    ),
    "channel or touchpoint.": "channel hoặc touchpoint.",
    "Field with the conversion's value.": "Trường chứa giá trị của chuyển đổi.",
    "keep, or collapse consecutive repeats.": "keep, hoặc collapse để gộp lặp liên tiếp.",
    "time_decay: a touch this old counts half.": "time_decay: lần chạm cũ chừng này tính một nửa.",
    "position: % to the first and last touch.": "position: % cho lần chạm đầu và cuối.",
    "Markov transition probabilities (CSV).": "Xác suất chuyển trạng thái Markov (CSV).",
    "Markov removal effects (CSV).": "Hiệu ứng loại bỏ Markov (CSV).",
    "Bars per channel per model (.svg or .png).": "Cột theo kênh và mô hình (.svg hoặc .png).",
    "--paths: the path column.": "--paths: cột đường đi.",
    "--paths: the conversions column.": "--paths: cột số chuyển đổi.",
    "--paths: the value column.": "--paths: cột giá trị.",
    "--paths: journeys that did not convert.": "--paths: số hành trình không chuyển đổi.",
    "Between the steps of a path.": "Giữa các bước của một đường đi.",
    "Between columns (sniffed if not given).": "Giữa các cột (tự nhận biết nếu không cho).",
    # the server and its keys (cli/serve.py, cli/keys.py)
    "API keys of the server (journeyscope serve).": "Khoá API của máy chủ (journeyscope serve).",
    "write (collect), read, or admin.": "write (thu thập), read (đọc) hoặc admin (quản trị).",
    "A label to recognise the key.": "Nhãn để nhận ra khoá.",
    "Make a key; it is shown only now, so store it safely.": (
        "Tạo một khoá; khoá chỉ hiện lúc này, hãy cất giữ cẩn thận."
    ),
    "The workspace's keys: id, name, role, dates (never the secrets).": (
        "Các khoá của workspace: mã, tên, vai trò, ngày (không bao giờ có phần bí mật)."
    ),
    "The key's id (see keys list).": "Mã của khoá (xem keys list).",
    "Revoke a key for good: the server refuses it from its next request.": (
        "Thu hồi vĩnh viễn một khoá: máy chủ từ chối khoá từ yêu cầu kế tiếp."
    ),
    "A workspace to serve; repeat for several (default: $JOURNEYSCOPE_WORKSPACE).": (
        "Workspace cần phục vụ; lặp lại cho nhiều workspace (mặc định: $JOURNEYSCOPE_WORKSPACE)."
    ),
    "Address to listen on.": "Địa chỉ lắng nghe.",
    "Port to listen on.": "Cổng lắng nghe.",
    "Serve the REST API and Segment-compatible collection (OpenAPI at /docs) until stopped.": (
        "Phục vụ REST API và thu nhận sự kiện tương thích Segment (OpenAPI tại /docs) "
        "cho đến khi dừng."
    ),
    "Collection requests a second per write key (bursts of 2N; 0: no limit).": (
        "Số yêu cầu gửi sự kiện mỗi giây cho mỗi khoá write (tối đa 2N một lúc; 0: không giới hạn)."
    ),
    "Mark the web app's session cookie Secure even over plain HTTP (behind an HTTPS proxy).": (
        "Đánh dấu cookie phiên của ứng dụng web là Secure cả khi dùng HTTP thường "
        "(đằng sau một proxy HTTPS)."
    ),
    "Memory for events kept between reports, in MiB (each workspace's events scanned once "
    "until its data changes; about 55 MiB a million events; 0: none).": (
        "Bộ nhớ giữ sự kiện giữa các báo cáo, tính bằng MiB (sự kiện của mỗi workspace chỉ "
        "đọc một lần cho đến khi dữ liệu thay đổi; khoảng 55 MiB cho một triệu sự kiện; "
        "0: không giữ)."
    ),
    "Processes that parse collected events beside the server's own (default: one per core "
    "beyond the first, at most 4; 0: the server parses them itself).": (
        "Số tiến trình phân tích sự kiện thu nhận bên cạnh tiến trình máy chủ (mặc định: mỗi "
        "lõi CPU ngoài lõi đầu một tiến trình, tối đa 4; 0: máy chủ tự phân tích)."
    ),
    "Stitch collected events into customers as they are stored.": (
        "Ghép các sự kiện thu nhận được vào khách hàng ngay khi chúng được lưu."
    ),
    "API requests a second per read or admin key (bursts of 2N; 0: no limit).": (
        "Số yêu cầu API mỗi giây cho mỗi khoá read hoặc admin (tối đa 2N một lúc; "
        "0: không giới hạn)."
    ),
    # the web app's users (cli/users.py)
    "Web users of the workspace (the web app).": ("Người dùng web của workspace (ứng dụng web)."),
    "The user's e-mail address.": "Địa chỉ e-mail của người dùng.",
    "viewer (reads), editor (also edits), or admin.": (
        "viewer (chỉ xem), editor (xem và chỉnh sửa) hoặc admin (quản trị)."
    ),
    "The user's name, as shown.": "Tên người dùng, như sẽ hiển thị.",
    "Add a user; the password is read from standard input (asked twice at a terminal).": (
        "Thêm một người dùng; mật khẩu được đọc từ đầu vào chuẩn (ở cửa sổ dòng lệnh thì "
        "được hỏi hai lần)."
    ),
    "The workspace's users: e-mail, name, role, dates (never the passwords).": (
        "Các người dùng của workspace: e-mail, tên, vai trò, ngày (không bao giờ có mật khẩu)."
    ),
    "viewer, editor or admin.": "viewer, editor hoặc admin.",
    "Change a user's role; it applies from their next request.": (
        "Đổi vai trò của một người dùng; áp dụng từ yêu cầu kế tiếp của họ."
    ),
    "Set a new password (read from standard input); it ends the user's sessions and lifts "
    "a lockout.": (
        "Đặt mật khẩu mới (đọc từ đầu vào chuẩn); mọi phiên đăng nhập của người dùng kết thúc "
        "và tài khoản được mở khoá nếu đang bị khoá."
    ),
    "Remove a user and end their sessions.": (
        "Xoá một người dùng và kết thúc các phiên đăng nhập của họ."
    ),
    "Sign a user out everywhere: every session they have ends at once.": (
        "Đăng xuất một người dùng khỏi mọi nơi: mọi phiên đăng nhập của họ kết thúc ngay."
    ),
    # journeyscope sentiment
    "UTF-8 text file, one feedback text per line (- reads standard input).": (
        "Tệp văn bản UTF-8, mỗi dòng một ý kiến phản hồi (- để đọc từ đầu vào chuẩn)."
    ),
    "Language of the texts, for the aspect rules: vi, en or auto (both); vi or en also sets "
    "the language of messages.": (
        "Ngôn ngữ của các văn bản, cho luật nhận khía cạnh: vi, en hoặc auto (cả hai); vi hoặc "
        "en cũng đặt ngôn ngữ của thông báo."
    ),
    "Score feedback texts: positive, neutral or negative, a score in [-1, 1], and the aspects "
    "each is about (delivery, packaging, product quality, price, service, payment, app). "
    "Offline: the model ships with JourneyScope.": (
        "Chấm cảm xúc các ý kiến phản hồi: tích cực, trung tính hay tiêu cực, điểm trong "
        "[-1, 1], và các khía cạnh được nhắc tới (giao hàng, đóng gói, chất lượng sản phẩm, "
        "giá, dịch vụ, thanh toán, ứng dụng). Chạy ngoại tuyến: mô hình đi kèm JourneyScope."
    ),
    "Score feedback texts offline; adapt the model to a workspace's own reviews.": (
        "Chấm cảm xúc ý kiến phản hồi ngoại tuyến; điều chỉnh mô hình theo đánh giá riêng của "
        "một workspace."
    ),
    "Use the model adapted to this workspace (`sentiment adapt`), if it has one.": (
        "Dùng mô hình đã điều chỉnh cho workspace này (`sentiment adapt`), nếu có."
    ),
    "CSV of the shop's own reviews: a text column and a stars column (1-5).": (
        "Tệp CSV đánh giá của chính shop: một cột nội dung (text) và một cột số sao (1-5)."
    ),
    "Fine-tune the sentiment model on a workspace's own star-rated reviews (1-2 stars "
    "negative, 4-5 positive, 3 left out); every fifth review is held out, and the adapted "
    "model is kept in the workspace only when it beats the shipped one there.": (
        "Tinh chỉnh mô hình cảm xúc trên các đánh giá có sao của chính workspace (1-2 sao là "
        "tiêu cực, 4-5 sao là tích cực, bỏ qua 3 sao); cứ năm đánh giá giữ lại một để kiểm "
        "tra, và mô hình mới chỉ được lưu khi tốt hơn mô hình gốc trên phần đó."
    ),
    # journeyscope feedback
    "Feedback in (surveys, marketplace reviews, tickets), its numbers, the survey kit.": (
        "Nhập phản hồi (khảo sát, đánh giá trên sàn, phiếu hỗ trợ), các chỉ số của nó và bộ "
        "khảo sát."
    ),
    "Import survey answers, marketplace reviews or ticket notes as feedback events. Exit 0: "
    "all rows stored; 1: some rows quarantined; 2: a file refused.": (
        "Nhập câu trả lời khảo sát, đánh giá trên sàn hoặc ghi chú phiếu hỗ trợ thành sự kiện "
        "phản hồi. Mã thoát 0: mọi dòng đã lưu; 1: có dòng bị cách ly; 2: có tệp bị từ chối."
    ),
    "Survey, review or ticket files (CSV, XLSX, ...).": (
        "Tệp khảo sát, đánh giá hoặc phiếu hỗ trợ (CSV, XLSX, ...)."
    ),
    "Mapping file with a `feedback:` section (kind, score and text columns).": (
        "Tệp ánh xạ có mục `feedback:` (loại phản hồi, các cột điểm và nội dung)."
    ),
    "The kind of feedback; default: detected from the header.": (
        "Loại phản hồi; mặc định: nhận ra từ dòng tiêu đề."
    ),
    "NPS (promoters − detractors), average CSAT, CES and stars, sentiment shares and the "
    "top aspects, per touchpoint, channel or kind — each with how many answers it rests on.": (
        "NPS (người ủng hộ − người phản đối), CSAT, CES và số sao trung bình, tỷ lệ cảm xúc và "
        "các khía cạnh được nhắc nhiều nhất, theo điểm chạm, kênh hoặc loại phản hồi — kèm số "
        "câu trả lời làm căn cứ."
    ),
    "Group the numbers by this.": "Nhóm các chỉ số theo trường này.",
    "Write the survey kit: the research questions (how did you hear of us, what first "
    "caught your eye, ...) plus NPS, CSAT and CES, as an offline HTML form or a CSV header.": (
        "Ghi bộ khảo sát: các câu hỏi nghiên cứu (bạn biết đến chúng tôi qua đâu, điều gì khiến "
        "bạn chú ý đầu tiên, ...) cùng NPS, CSAT và CES, dạng biểu mẫu HTML dùng ngoại tuyến "
        "hoặc dòng tiêu đề CSV."
    ),
    "Where to write the survey.": "Nơi ghi bộ khảo sát.",
    "Language of the questions (and of messages).": "Ngôn ngữ của câu hỏi (và của thông báo).",
    "html: a standalone form that saves answers as CSV; csv: the header set for survey tools.": (
        "html: biểu mẫu độc lập, lưu câu trả lời thành CSV; csv: bộ tiêu đề cột cho các công "
        "cụ khảo sát."
    ),
    "Title of the form.": "Tiêu đề của biểu mẫu.",
    "Touchpoint stored with each answer.": "Điểm chạm được lưu cùng mỗi câu trả lời.",
    # customer segments (cli/segments.py) and persona show
    "Customer segments: rules and lists.": "Phân khúc khách hàng: quy tắc và danh sách.",
    "The segment's name.": "Tên phân khúc.",
    "Also keep the listed customers as a segment (a static list) named NAME.": (
        "Lưu luôn các khách hàng trong danh sách thành phân khúc (danh sách cố định) tên NAME."
    ),
    'Customer facts, e.g. "orders >= 2 and channel in (shopee, lazada)".': (
        'Điều kiện về khách hàng, ví dụ "orders >= 2 and channel in (shopee, lazada)".'
    ),
    "A list: customer ids or TYPE:VALUE identifiers, one a line (or a CSV).": (
        "Một danh sách: mã khách hàng hoặc định danh LOẠI:GIÁ_TRỊ, mỗi dòng một mục (hoặc CSV)."
    ),
    "What it is for.": "Dùng để làm gì.",
    "Replace a segment of the same name.": "Thay phân khúc cùng tên.",
    "Define a segment by a rule or from a list of customers.": (
        "Tạo phân khúc bằng một quy tắc hoặc từ một danh sách khách hàng."
    ),
    "The workspace's segments with their size today.": (
        "Các phân khúc của workspace cùng số khách hàng hiện tại."
    ),
    "Size, share of customers, channel mix, typical order value, top products and events.": (
        "Quy mô, tỷ lệ khách hàng, các kênh, giá trị đơn điển hình, sản phẩm và sự kiện nổi bật."
    ),
    "Delete a segment (the customers and their events stay).": (
        "Xoá một phân khúc (khách hàng và sự kiện của họ vẫn giữ nguyên)."
    ),
    "CSV or Parquet of the customers.": "Tệp CSV hoặc Parquet chứa các khách hàng.",
    "Write the segment's customers with their identifiers (e-mail, phone, Zalo, ...).": (
        "Ghi các khách hàng của phân khúc kèm định danh (e-mail, điện thoại, Zalo, ...)."
    ),
    "A persona file, or a library persona's id.": (
        "Tệp chân dung, hoặc mã một chân dung trong thư viện."
    ),
    "How many personas.": "Số chân dung cần đề xuất.",
    "Seed of the clustering (same seed, same personas).": (
        "Hạt giống của phép phân cụm (cùng hạt giống, cùng chân dung)."
    ),
    "Where the persona files go (default: the workspace's maps/personas/).": (
        "Nơi ghi các tệp chân dung (mặc định: maps/personas/ của workspace)."
    ),
    "Propose only: write no files.": "Chỉ đề xuất: không ghi tệp nào.",
    "Propose personas from clusters of real customers (behaviour, channels, value, time of "
    "day), each with a segment rule and a plain description to edit.": (
        "Đề xuất chân dung từ các cụm khách hàng thật (hành vi, kênh, giá trị, thời điểm "
        "trong ngày), mỗi chân dung kèm quy tắc phân khúc và mô tả dễ hiểu để chỉnh sửa."
    ),
    "The card with live numbers (.svg, .png).": "Thẻ chân dung kèm số liệu thực (.svg, .png).",
    # map review
    "A map with bound cells.": "Bản đồ có ô gắn dữ liệu.",
    "Workspace of the data.": "Workspace chứa dữ liệu.",
    "First day of the period under review (the day of the last review); it is held against "
    "as many days just before it.": (
        "Ngày đầu của kỳ xem lại (ngày xem lại lần trước); kỳ này được so với cùng số ngày "
        "ngay trước nó."
    ),
    "Last day under review, included (default: the data's last day).": (
        "Ngày cuối của kỳ xem lại, tính cả ngày đó (mặc định: ngày cuối của dữ liệu)."
    ),
    "low, medium or high (as for insights).": "low, medium hoặc high (như với insights).",
    "Also draw the map with the period's numbers, moved cells marked ▲/▼ (.svg, .png, "
    ".html, .pdf).": (
        "Vẽ thêm bản đồ với số liệu của kỳ, ô thay đổi được đánh dấu ▲/▼ (.svg, .png, .html, .pdf)."
    ),
    "What moved on a map since the last review: its numbers, pains and emotions, each tested "
    "against the same length of time before, noise left out.": (
        "Những gì thay đổi trên bản đồ kể từ lần xem lại trước: số liệu, điểm đau và cảm xúc, "
        "mỗi mục được kiểm định so với cùng khoảng thời gian trước đó, bỏ qua nhiễu."
    ),
    "A persona and its segment in the data now: size, channels, typical order, products.": (
        "Chân dung và phân khúc của nó trong dữ liệu hiện tại: quy mô, kênh, đơn điển hình, "
        "sản phẩm."
    ),
}
