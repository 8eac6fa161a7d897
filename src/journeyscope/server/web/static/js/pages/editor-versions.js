// Versions of a map (every save, with who and when), `map diff` between any two side by
// side, and the exports drawn by `map render` (SVG, PNG, PDF, Excel, Mermaid).
import { api, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { card, clear, download, errorBox, field, h, into } from '../ui.js';

register({
  en: {
    versions_title: 'Versions',
    versions_empty: 'No saved version yet: every save from now on is kept here, with who saved it and when.',
    versions_number: 'Version',
    versions_author: 'Saved by',
    versions_time: 'Saved at',
    versions_unknown_author: 'unknown',
    versions_open: 'Open',
    versions_open_label: 'Open version {n} in the editor',
    versions_opened: 'Version {n} is open in the editor. Save to make it the current map, or undo.',
    versions_compare: 'Compare',
    versions_from: 'Older version',
    versions_to: 'Newer version',
    versions_same: 'No difference between these two versions.',
    versions_change: 'Change',
    versions_where: 'Where',
    versions_old: 'Version {n}',
    versions_new: 'Version {n}',
    versions_diff_caption: 'What changed from version {a} to version {b}',
    export_title: 'Export',
    export_help: 'Exports draw the saved map. PDF and PNG need Chromium on the server.',
    export_svg: 'Image (SVG)',
    export_png: 'Image (PNG)',
    export_pdf: 'Document (PDF)',
    export_xlsx: 'Excel (XLSX)',
    export_mermaid: 'Mermaid',
    export_working: 'Preparing {format}…',
  },
  vi: {
    versions_title: 'Các phiên bản',
    versions_empty: 'Chưa có phiên bản nào được lưu: từ giờ mỗi lần lưu sẽ được giữ ở đây, kèm người lưu và thời gian.',
    versions_number: 'Phiên bản',
    versions_author: 'Người lưu',
    versions_time: 'Thời gian lưu',
    versions_unknown_author: 'không rõ',
    versions_open: 'Mở',
    versions_open_label: 'Mở phiên bản {n} trong trình sửa',
    versions_opened: 'Phiên bản {n} đang mở trong trình sửa. Hãy lưu để dùng làm bản đồ hiện tại, hoặc hoàn tác.',
    versions_compare: 'So sánh',
    versions_from: 'Phiên bản cũ',
    versions_to: 'Phiên bản mới',
    versions_same: 'Hai phiên bản này giống nhau.',
    versions_change: 'Thay đổi',
    versions_where: 'Vị trí',
    versions_old: 'Phiên bản {n}',
    versions_new: 'Phiên bản {n}',
    versions_diff_caption: 'Những gì đã đổi từ phiên bản {a} sang phiên bản {b}',
    export_title: 'Xuất bản đồ',
    export_help: 'Bản xuất vẽ bản đồ đã lưu. PDF và PNG cần Chromium trên máy chủ.',
    export_svg: 'Ảnh (SVG)',
    export_png: 'Ảnh (PNG)',
    export_pdf: 'Tài liệu (PDF)',
    export_xlsx: 'Excel (XLSX)',
    export_mermaid: 'Mermaid',
    export_working: 'Đang chuẩn bị {format}…',
  },
});

const EXPORTS = [
  ['svg', 'export_svg', 'svg'],
  ['png', 'export_png', 'png'],
  ['pdf', 'export_pdf', 'pdf'],
  ['xlsx', 'export_xlsx', 'xlsx'],
  ['mermaid', 'export_mermaid', 'mmd'],
];

export function exportsCard(name) {
  const status = h('p', { class: 'muted small', role: 'status' });
  const buttons = EXPORTS.map(([format, key, suffix]) => h('button', {
    type: 'button',
    class: 'small',
    dataset: { export: format },
    onclick: async (e) => {
      const button = e.currentTarget;
      button.disabled = true;
      clear(status, t('export_working', { format: t(key) }));
      try {
        const response = await api(wsPath(`/maps/${encodeURIComponent(name)}/render`), { query: { format }, raw: true });
        download(`${name}.${suffix}`, await response.blob());
        clear(status);
      } catch (error) {
        clear(status, errorBox(error));
      } finally {
        button.disabled = false;
      }
    },
  }, t(key)));
  return card(t('export_title'), h('p', { class: 'muted small' }, t('export_help')), h('div', { class: 'downloads' }, buttons), status);
}

function diffTable(result) {
  if (!result.changes.length) return h('p', { class: 'state', role: 'status' }, t('versions_same'));
  const cellText = (v) => (v === null || v === undefined ? '–' : v);
  return h(
    'div',
    { class: 'table-wrap diff' },
    h(
      'table',
      {},
      h('caption', {}, t('versions_diff_caption', { a: result.old, b: result.new })),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('versions_change')), h('th', { scope: 'col' }, t('versions_where')), h('th', { scope: 'col' }, t('versions_old', { n: result.old })), h('th', { scope: 'col' }, t('versions_new', { n: result.new })))),
      h('tbody', {}, result.changes.map((c) => h(
        'tr',
        { class: `change-${c.change}` },
        h('td', {}, c.description),
        h('td', { translate: 'no' }, c.path),
        h('td', { class: 'old', translate: 'no' }, cellText(c.old)),
        h('td', { class: 'new', translate: 'no' }, cellText(c.new)),
      ))),
    ),
  );
}

/**
 * The versions card; `open(doc, n)` puts a version's document into the editor (null: a
 * viewer, who only reads). Returns {box, reload}.
 */
export function versionsCard(name, open) {
  const list = h('div', { id: 'versions' });
  const box = card(t('versions_title'), list);
  const base = wsPath(`/maps/${encodeURIComponent(name)}`);

  async function draw() {
    const { versions } = await api(`${base}/versions`);
    if (!versions.length) return h('p', { class: 'muted' }, t('versions_empty'));
    const rows = [...versions].reverse().map((v) => h(
      'tr',
      {},
      h('td', { class: 'num' }, fmt.int(v.number)),
      h('td', { translate: v.author ? 'no' : null }, v.author || t('versions_unknown_author')),
      h('td', {}, fmt.dateTime(v.saved_at)),
      open
        ? h('td', {}, h('button', {
          type: 'button',
          class: 'small',
          'aria-label': t('versions_open_label', { n: v.number }),
          onclick: async () => {
            const got = await api(`${base}/versions/${v.number}`);
            if (got.document) open(got.document, v.number);
          },
        }, t('versions_open')))
        : null,
    ));
    const options = (selected) => versions.map((v) => h('option', { value: v.number, selected: v.number === selected }, t('versions_old', { n: v.number })));
    const last = versions[versions.length - 1].number;
    const older = h('select', { id: 'diff-old' }, options(Math.max(1, last - 1)));
    const newer = h('select', { id: 'diff-new' }, options(last));
    const result = h('div', { id: 'diff-result' });
    const compare = h('button', {
      type: 'button',
      id: 'diff-run',
      onclick: () => into(result, async () => diffTable(await api(`${base}/diff`, { query: { old: older.value, new: newer.value } }))),
    }, t('versions_compare'));
    return h(
      'div',
      {},
      h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, t('versions_number')), h('th', { scope: 'col' }, t('versions_author')), h('th', { scope: 'col' }, t('versions_time')), open ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('versions_open'))) : null)), h('tbody', {}, rows))),
      versions.length > 1 ? h('div', { class: 'toolbar diff-pick' }, field(t('versions_from'), older), field(t('versions_to'), newer), compare) : null,
      result,
    );
  }

  const reload = () => into(list, draw);
  reload();
  return { box, reload };
}
