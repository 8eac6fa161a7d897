// Data → import (admins): upload event files with an optional mapping (POST /imports, a
// job), follow its progress, then show what was stored and the rows refused (quarantine:
// file, line, field, reason) — `journeyscope ingest --json`, in the browser.
import { api, wsPath } from '../api.js';
import { fmt, lang, register, t } from '../i18n.js';
import { card, clear, errorBox, field, h, table } from '../ui.js';
import { followJob, progressBox } from './data-jobs.js';

register({
  en: {
    import_title: 'Import a file',
    import_lead: 'CSV, TSV, JSON Lines, Parquet or Excel, exported from a shop, a marketplace or a call centre. Without a mapping the columns must carry our field names (event_id, ts, event, channel, phone, …).',
    import_files: 'Event files',
    import_files_help: '.csv .tsv .jsonl .parquet .xlsx, optionally .gz',
    import_mapping_file: 'Mapping file (optional)',
    import_mapping_file_help: 'A mapping document (.yaml or .json) saying which column is which.',
    import_mapping_text: 'Or paste the mapping (optional)',
    import_mapping_text_help: 'For example: source: pos',
    import_encoding: 'Text encoding',
    import_encoding_auto: 'Detect',
    import_start: 'Import',
    import_no_file: 'Choose at least one file.',
    import_result: 'Result',
    import_accepted: 'Stored',
    import_duplicates: 'Already stored',
    import_rejected: 'Refused (quarantine)',
    import_suppressed: 'Skipped (forgotten people)',
    import_conflicts: 'Conflicting duplicates',
    import_file: 'File',
    import_rows: 'rows',
    import_next: 'New events are joined into customers by the next identity resolve.',
    import_quarantine: 'Refused rows',
    import_quarantine_lead: '{n} rows were refused. Fix them in the source file and import it again: rows already stored are not stored twice.',
    import_quarantine_more: 'Showing the first {shown} of {n}.',
    import_line: 'Line',
    import_field: 'Field',
    import_reason: 'Reason',
    import_record: 'Row as read',
  },
  vi: {
    import_title: 'Nhập tệp dữ liệu',
    import_lead: 'CSV, TSV, JSONL, Parquet hoặc Excel, xuất từ cửa hàng, sàn thương mại điện tử hay tổng đài. Nếu không có tệp ánh xạ, các cột phải mang tên trường của chúng tôi (event_id, ts, event, channel, phone, …).',
    import_files: 'Tệp sự kiện',
    import_files_help: '.csv .tsv .jsonl .parquet .xlsx, có thể nén .gz',
    import_mapping_file: 'Tệp ánh xạ (không bắt buộc)',
    import_mapping_file_help: 'Một tài liệu ánh xạ (.yaml hoặc .json) cho biết cột nào là trường nào.',
    import_mapping_text: 'Hoặc dán nội dung ánh xạ (không bắt buộc)',
    import_mapping_text_help: 'Ví dụ: source: pos',
    import_encoding: 'Bảng mã văn bản',
    import_encoding_auto: 'Tự nhận biết',
    import_start: 'Nhập dữ liệu',
    import_no_file: 'Hãy chọn ít nhất một tệp.',
    import_result: 'Kết quả',
    import_accepted: 'Đã lưu',
    import_duplicates: 'Đã có từ trước',
    import_rejected: 'Bị từ chối (cách ly)',
    import_suppressed: 'Bỏ qua (người đã yêu cầu xoá)',
    import_conflicts: 'Trùng mã nhưng khác nội dung',
    import_file: 'Tệp',
    import_rows: 'dòng',
    import_next: 'Sự kiện mới được nối vào khách hàng ở lần gộp danh tính tiếp theo.',
    import_quarantine: 'Các dòng bị từ chối',
    import_quarantine_lead: '{n} dòng bị từ chối. Hãy sửa trong tệp nguồn rồi nhập lại: các dòng đã lưu sẽ không bị lưu hai lần.',
    import_quarantine_more: 'Đang hiện {shown} trên {n} dòng.',
    import_line: 'Dòng',
    import_field: 'Trường',
    import_reason: 'Lý do',
    import_record: 'Dòng như đã đọc',
  },
});

const no = (text) => h('span', { translate: 'no' }, text);

function counts(result) {
  const n = (key) => h('td', { class: 'num' }, `${fmt.int(result[key])} ${t('import_rows')}`);
  return h('div', { class: 'table-wrap' }, h('table', { id: 'import-counts' }, h('tbody', {},
    h('tr', {}, h('th', { scope: 'row' }, t('import_accepted')), n('accepted')),
    h('tr', {}, h('th', { scope: 'row' }, t('import_duplicates')), n('duplicates')),
    h('tr', {}, h('th', { scope: 'row' }, t('import_rejected')), n('rejected')),
    h('tr', {}, h('th', { scope: 'row' }, t('import_suppressed')), n('suppressed')),
    h('tr', {}, h('th', { scope: 'row' }, t('import_conflicts')), n('conflicts')),
  )));
}

async function quarantine(result) {
  if (!result.rejected || !result.quarantine) return null;
  const found = await api(wsPath('/imports/quarantine'), { query: { file: result.quarantine } });
  return h(
    'div',
    { id: 'quarantine' },
    h('h3', {}, t('import_quarantine')),
    h('p', {}, t('import_quarantine_lead', { n: fmt.int(found.total) })),
    found.total > found.rows.length ? h('p', { class: 'muted' }, t('import_quarantine_more', { shown: fmt.int(found.rows.length), n: fmt.int(found.total) })) : null,
    table(
      [
        { label: t('import_file'), value: (r) => no(r.file) },
        { label: t('import_line'), value: (r) => fmt.int(r.line), num: true },
        { label: t('import_field'), value: (r) => no(r.field) },
        // the reason in the page's language where the import's checks wrote it (the
        // quarantine file keeps English); anything else as written, marked English
        { label: t('import_reason'), value: (r) => (lang === 'vi' && r.reason_vi ? r.reason_vi : h('span', { translate: 'no', lang: 'en' }, r.reason)) },
        { label: t('import_record'), value: (r) => h('code', { translate: 'no', class: 'record' }, r.record) },
      ],
      found.rows,
    ),
  );
}

async function showResult(box, job) {
  const result = job.result;
  const refused = await quarantine(result);
  clear(box, h('div', { id: 'import-result' }, h('h3', {}, t('import_result')), counts(result), refused, h('p', { class: 'muted' }, t('import_next'))));
}

async function start(form, box) {
  const files = form.querySelector('#import-files').files;
  if (!files.length) {
    clear(box, h('p', { class: 'form-error', role: 'alert' }, t('import_no_file')));
    return;
  }
  const body = new FormData();
  for (const file of files) body.append('file', file, file.name);
  const mappingFile = form.querySelector('#import-mapping-file').files[0];
  const mappingText = form.querySelector('#import-mapping-text').value.trim();
  if (mappingFile) body.append('mapping', mappingFile, mappingFile.name);
  else if (mappingText) body.append('mapping', mappingText);
  const encoding = form.querySelector('#import-encoding').value;
  if (encoding) body.append('encoding', encoding);
  const progress = progressBox();
  clear(box, progress);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const started = await api(wsPath('/imports'), { method: 'POST', body });
    const job = await followJob(started.status_url, progress.update);
    await showResult(box, job);
    form.dispatchEvent(new CustomEvent('imported', { bubbles: true }));
  } catch (error) {
    clear(box, errorBox(error));
  } finally {
    button.disabled = false;
  }
}

export function importCard() {
  const box = h('div', { id: 'import-status', 'aria-live': 'polite' });
  const encoding = h('select', { id: 'import-encoding' },
    h('option', { value: '' }, t('import_encoding_auto')),
    ['utf-8', 'utf-16', 'cp1258', 'windows-1252'].map((e) => h('option', { value: e, translate: 'no' }, e)));
  const form = h(
    'form',
    { id: 'import-form', onsubmit: (e) => { e.preventDefault(); start(form, box); } },
    field(t('import_files'), h('input', { type: 'file', id: 'import-files', multiple: true, accept: '.csv,.tsv,.txt,.jsonl,.json,.ndjson,.parquet,.xlsx,.gz' }), t('import_files_help')),
    h('div', { class: 'two-col' },
      field(t('import_mapping_file'), h('input', { type: 'file', id: 'import-mapping-file', accept: '.yaml,.yml,.json' }), t('import_mapping_file_help')),
      field(t('import_mapping_text'), h('textarea', { id: 'import-mapping-text', rows: 3, spellcheck: 'false' }), t('import_mapping_text_help'))),
    field(t('import_encoding'), encoding),
    h('button', { type: 'submit', class: 'primary' }, t('import_start')),
  );
  return card(t('import_title'), h('p', { class: 'muted' }, t('import_lead')), form, box);
}
