// "Journey = customer | session" for the funnel, paths and touchpoints pages: the API's
// `per`, `session_gap` and `session_column` (docs/analytics.md, "Sessions"), kept in the
// address like every other option. The counts of a per-session report are sessions, so the
// pages head their count columns with countLabel(report) and say the rule with sessionNote.
import { fmt, register, t } from '../i18n.js';
import { field, h } from '../ui.js';
import { input, select, tData } from './dashboards-common.js';

register({
  en: {
    sessions_legend: 'What one journey is',
    sessions_per: 'Journey =',
    sessions_per_customer: 'customer (whole history)',
    sessions_per_session: 'session (one visit)',
    sessions_gap: 'New session after inactivity of',
    sessions_gap_help: 'e.g. 30m (the default), 1h — used when no session id field is given',
    sessions_column: 'Or a session id field',
    sessions_column_help: 'e.g. {example} — leave empty to cut by inactivity',
    sessions_merge: 'Merge repeated steps in a row',
    sessions_merge_help: 'In the most common journeys, product_view, product_view counts as one step.',
    sessions_count: 'Sessions',
    sessions_count_n: '{n} sessions',
    sessions_note_gap: 'Each session is one journey: a new session starts after {gap} without activity.',
    sessions_note_column: 'Each session is one journey: sessions are read from the field {column}.',
  },
  vi: {
    sessions_legend: 'Thế nào là một hành trình',
    sessions_per: 'Hành trình =',
    sessions_per_customer: 'khách hàng (toàn bộ lịch sử)',
    sessions_per_session: 'phiên (một lần truy cập)',
    sessions_gap: 'Phiên mới sau khi không hoạt động',
    sessions_gap_help: 'ví dụ 30m (mặc định, 30 phút), 1h (1 giờ) — dùng khi không chọn trường mã phiên',
    sessions_column: 'Hoặc trường mã phiên',
    sessions_column_help: 'ví dụ {example} — để trống để chia theo thời gian không hoạt động',
    sessions_merge: 'Gộp các bước lặp lại liền nhau',
    sessions_merge_help: 'Trong các hành trình phổ biến nhất, product_view, product_view tính là một bước.',
    sessions_count: 'Phiên',
    sessions_count_n: '{n} phiên',
    sessions_note_gap: 'Mỗi phiên là một hành trình: phiên mới bắt đầu sau {gap} không hoạt động.',
    sessions_note_column: 'Mỗi phiên là một hành trình: phiên được đọc từ trường {column}.',
  },
});

/** The address keys of the session options (over a page's own DEFAULTS). */
export const SESSION_DEFAULTS = { per: 'customer', session_gap: '', session_column: '' };

export function perSession(values) {
  return values.per === 'session';
}

/** The session controls; the rule's fields are usable only when a journey is a session. */
export function sessionFields(page, values, { mergeRepeats = false } = {}) {
  const per = select(`${page}-per`, [['customer', t('sessions_per_customer')], ['session', t('sessions_per_session')]], values.per);
  const gap = input(`${page}-session-gap`, values.session_gap, { type: 'text', size: 8, spellcheck: 'false', placeholder: '30m' });
  const column = input(`${page}-session-column`, values.session_column, { type: 'text', size: 22, spellcheck: 'false', translate: 'no' });
  const toggle = () => {
    gap.disabled = per.value !== 'session';
    column.disabled = per.value !== 'session';
  };
  per.addEventListener('change', toggle);
  toggle();
  const out = [
    h('legend', {}, t('sessions_legend')),
    field(t('sessions_per'), per),
    field(t('sessions_gap'), gap, t('sessions_gap_help')),
    field(t('sessions_column'), column, tData('sessions_column_help', { example: 'properties.session_id' })),
  ];
  if (mergeRepeats) {
    const merge = h('input', { type: 'checkbox', id: `${page}-merge-repeats`, checked: values.merge_repeats !== 'false' });
    out.push(h('div', { class: 'field sessions-merge' }, h('label', { for: merge.id }, merge, ` ${t('sessions_merge')}`), h('small', {}, t('sessions_merge_help'))));
  }
  return [h('fieldset', { class: 'dash-wide sessions-box', id: `${page}-sessions` }, out)];
}

/** The session options of the form (the rule only with per=session, as the API wants). */
export function readSession(page, form) {
  const value = (id) => form.querySelector(`#${page}-${id}`).value.trim();
  const per = value('per');
  const out = { per, session_gap: '', session_column: '' };
  if (per === 'session') {
    out.session_column = value('session-column');
    if (!out.session_column) out.session_gap = value('session-gap');
  }
  const merge = form.querySelector(`#${page}-merge-repeats`);
  if (merge) out.merge_repeats = merge.checked ? '' : 'false';
  return out;
}

/** "Sessions" when the report counted sessions (its JSON says `per`), else "Customers". */
export function countLabel(report) {
  return report && report.per === 'session' ? t('sessions_count') : t('dash_customers');
}

export function countN(report, n) {
  return report && report.per === 'session' ? t('sessions_count_n', { n: fmt.int(n) }) : t('dash_customers_n', { n: fmt.int(n) });
}

/** A line naming the session rule of a per-session report (nothing otherwise). */
export function sessionNote(report) {
  const rule = report && report.per === 'session' ? report.session || {} : null;
  if (!rule) return null;
  const said = rule.rule === 'column'
    ? tData('sessions_note_column', { column: rule.column })
    : [t('sessions_note_gap', { gap: fmt.duration(rule.gap_seconds) })];
  return h('p', { class: 'muted sessions-note', dataset: { per: 'session' } }, ...said);
}
