// Who dropped at a funnel step: GET /funnel/dropped (the CLI's `funnel --dropped-at STEP`),
// each customer linked to their page, the list exported as CSV for a call-back campaign.
import { api, session, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { download, h, into, table, toCsv } from '../ui.js';
import { data, tData } from './dashboards-common.js';
import { saveAsSegment } from './segments-save.js';

register({
  en: {
    dropped_title: 'Reached {step} but not {next}',
    dropped_count: '{n} customers dropped here.',
    dropped_truncated: 'The first {shown} are listed; the CSV holds the same {shown}. Use the CLI for all of them.',
    dropped_csv: 'Export the list (CSV)',
    dropped_reached: 'Reached the step at',
    dropped_email: 'E-mail',
    dropped_phone: 'Phone',
    dropped_ids: 'Identifiers',
    dropped_none: 'Nobody dropped at this step.',
    dropped_shown: 'The table shows the first {n}; the CSV holds every one.',
  },
  vi: {
    dropped_title: 'Đã đến {step} nhưng không đến {next}',
    dropped_count: '{n} khách hàng đã rời bỏ ở đây.',
    dropped_truncated: 'Danh sách hiện {shown} người đầu tiên; tệp CSV gồm đúng {shown} người này. Dùng CLI để lấy tất cả.',
    dropped_csv: 'Xuất danh sách (CSV)',
    dropped_reached: 'Thời điểm đến bước',
    dropped_email: 'E-mail',
    dropped_phone: 'Điện thoại',
    dropped_ids: 'Định danh',
    dropped_none: 'Không ai rời bỏ ở bước này.',
    dropped_shown: 'Bảng hiện {n} người đầu tiên; tệp CSV có đầy đủ.',
  },
});

const SHOWN = 200;

export function droppedPanel() {
  return h('section', { id: 'funnel-dropped', class: 'card', hidden: true, tabindex: '-1' });
}

function exportCsv(step, rows) {
  const columns = ['customer_id', 'reached_at', 'email', 'phone', 'user_id', 'identifiers'];
  const safe = step.replace(/[^\p{L}\p{N}_-]+/gu, '_');
  download(`${session.workspace}-dropped-at-${safe}.csv`, toCsv(columns, rows.map((r) => columns.map((c) => r[c]))));
}

/** List who reached ``step`` (shown as ``shown``) and not ``next`` in the panel (the funnel's own query). */
export function showDropped(panel, params, step, shown, next) {
  panel.hidden = false;
  into(panel, async () => {
    const answer = await api(wsPath('/funnel/dropped'), { query: { ...params, step } });
    const title = h('h2', {}, tData('dropped_title', { step: shown, next }));
    if (!answer.customers) return [title, h('p', {}, t('dropped_none'))];
    const rows = answer.rows;
    return [
      title,
      h(
        'div',
        { class: 'toolbar' },
        h('p', { class: 'dash-summary', id: 'funnel-dropped-count', dataset: { value: String(answer.customers) } }, t('dropped_count', { n: fmt.int(answer.customers) })),
        h('button', { type: 'button', id: 'funnel-dropped-csv', onclick: () => exportCsv(step, rows) }, t('dropped_csv')),
      ),
      answer.truncated ? h('p', { class: 'muted' }, t('dropped_truncated', { shown: fmt.int(rows.length) })) : null,
      saveAsSegment({ id: 'funnel-dropped-segment', ids: rows.map((r) => r.customer_id), source: `funnel --dropped-at ${step}`, truncated: answer.truncated }),
      table(
        [
          { label: t('dash_customer'), value: (r) => h('a', { href: `#/customers/${encodeURIComponent(r.customer_id)}`, translate: 'no' }, String(r.customer_id)) },
          { label: t('dropped_reached'), value: (r) => fmt.dateTime(r.reached_at) },
          { label: t('dropped_email'), value: (r) => data(r.email) },
          { label: t('dropped_phone'), value: (r) => data(r.phone) },
          { label: t('dropped_ids'), value: (r) => data(r.identifiers) },
        ],
        rows.slice(0, SHOWN),
      ),
      rows.length > SHOWN ? h('p', { class: 'muted small' }, t('dropped_shown', { n: fmt.int(SHOWN) })) : null,
    ];
  }).then(() => panel.focus());
}
