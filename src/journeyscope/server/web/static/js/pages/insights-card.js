// One finding of `journeyscope insights` as a card: the headline, where and when, the
// customers affected, the test in plain words, a before / during / after chart, the slices
// where it also showed, the changes that follow from it, and the command that shows the
// evidence (the funnel builder opens with the same query for a step's conversion).
import { session } from '../api.js';
import { chartCard } from '../charts.js';
import { TZ, fmt, lang, register, t } from '../i18n.js';
import { h } from '../ui.js';
import { data, queryString } from './dashboards-common.js';
import { fixed, headline, kindLabel, periodOf, points, whatOf, whereOf } from './insights-words.js';

register({
  en: {
    ins_where: 'Where',
    ins_when: 'When',
    ins_affected: 'Customers affected',
    ins_how_sure: 'How sure',
    ins_also_in: 'Also seen in',
    ins_what: 'What',
    ins_change: 'Change',
    ins_p: 'p-value {p}: the chance of a change this large by luck alone.',
    ins_p_tiny: 'p-value below {p}: a change this large by luck alone is practically impossible.',
    ins_ci: 'The change is {change} (95% confidence interval {low} to {high}).',
    ins_change_only: 'The change is {change}.',
    ins_test_rate: 'Compared with the other weeks (two-proportion z-test, corrected for the runs of weeks tried).',
    ins_test_count: 'Compared with the usual customers per day for that weekday in the surrounding four weeks (negative-binomial test).',
    ins_test_new: 'New customers’ conversion compared with other days (two-proportion z-test).',
    ins_test_cohort: 'Repeat purchases of these first buyers compared with the other cohorts (two-proportion z-test).',
    ins_chart: 'Before, during and after',
    ins_chart_usual: 'Usual and during',
    ins_before: 'Before',
    ins_during: 'During',
    ins_after: 'After',
    ins_usual: 'Usual',
    ins_rate: 'Rate',
    ins_per_day: 'Customers per day',
    ins_expected: 'expected {n}/day',
    ins_col_part: 'Part',
    ins_col_from: 'From',
    ins_col_to: 'To',
    ins_col_customers: 'Customers',
    ins_col_converted: 'Converted',
    ins_related: 'What follows from it ({n})',
    ins_evidence: 'Check it yourself',
    ins_copy: 'Copy the command',
    ins_copied: 'Copied',
    ins_copy_failed: 'Select the command and copy it by hand',
    ins_open_funnel: 'Open in the funnel builder',
  },
  vi: {
    ins_where: 'Ở đâu',
    ins_when: 'Khi nào',
    ins_affected: 'Khách hàng bị ảnh hưởng',
    ins_how_sure: 'Độ chắc chắn',
    ins_also_in: 'Cũng thấy ở',
    ins_what: 'Nội dung',
    ins_change: 'Thay đổi',
    ins_p: 'p-value {p}: khả năng một thay đổi lớn như vậy chỉ do ngẫu nhiên.',
    ins_p_tiny: 'p-value dưới {p}: thay đổi lớn như vậy gần như không thể do ngẫu nhiên.',
    ins_ci: 'Mức thay đổi là {change} (khoảng tin cậy 95 % từ {low} đến {high}).',
    ins_change_only: 'Mức thay đổi là {change}.',
    ins_test_rate: 'So với các tuần khác (kiểm định z hai tỷ lệ, đã hiệu chỉnh theo số chuỗi tuần đã thử).',
    ins_test_count: 'So với số khách thường gặp mỗi ngày cùng thứ trong bốn tuần xung quanh (kiểm định nhị thức âm).',
    ins_test_new: 'Tỷ lệ chuyển đổi của khách mới so với các ngày khác (kiểm định z hai tỷ lệ).',
    ins_test_cohort: 'Tỷ lệ mua lại của nhóm khách mua lần đầu này so với các nhóm khác (kiểm định z hai tỷ lệ).',
    ins_chart: 'Trước, trong và sau',
    ins_chart_usual: 'Thường lệ và trong kỳ',
    ins_before: 'Trước',
    ins_during: 'Trong kỳ',
    ins_after: 'Sau',
    ins_usual: 'Thường lệ',
    ins_rate: 'Tỷ lệ',
    ins_per_day: 'Khách mỗi ngày',
    ins_expected: 'dự kiến {n}/ngày',
    ins_col_part: 'Phần',
    ins_col_from: 'Từ ngày',
    ins_col_to: 'Đến ngày',
    ins_col_customers: 'Khách hàng',
    ins_col_converted: 'Đã chuyển đổi',
    ins_related: 'Những thay đổi kéo theo ({n})',
    ins_evidence: 'Tự kiểm tra',
    ins_copy: 'Sao chép câu lệnh',
    ins_copied: 'Đã sao chép',
    ins_copy_failed: 'Hãy chọn câu lệnh và tự sao chép',
    ins_open_funnel: 'Mở trong trình tạo phễu',
  },
});

const TESTS = { conversion: 'ins_test_rate', loop: 'ins_test_rate', spike: 'ins_test_count', new_event: 'ins_test_count', spike_not_converting: 'ins_test_new', cohort: 'ins_test_cohort' };
const BAD = '#c0392b';
const GOOD = '#2e8b57';
const PLAIN = '#1f4e79';

function pValue(p) {
  if (p === null || p === undefined) return null;
  if (p < 0.0001) return t('ins_p_tiny', { p: fmt.num(0.0001, 4) });
  return t('ins_p', { p: fmt.num(p, 4) });
}

/** The test in plain words: what it compared with, how sure, and the interval. */
function howSure(f) {
  const change = f.change || {};
  const parts = [t(TESTS[f.kind] || 'ins_test_rate'), pValue(change.p_value ?? f.p_value)];
  if (change.ci95) parts.push(t('ins_ci', { change: points(change.absolute), low: points(change.ci95[0]), high: points(change.ci95[1]) }));
  else if (change.absolute !== undefined && change.absolute !== null) parts.push(t('ins_change_only', { change: points(change.absolute) }));
  return parts.filter(Boolean).join(' ');
}

/** The parts of the finding the chart shows: before / during / after, else usual / during. */
function parts(f) {
  const spans = ['before', 'during', 'after'].filter((k) => f[k] && (f[k].from || f[k].customers !== undefined));
  const dated = spans.filter((k) => f[k].from);
  if (dated.length >= 2) return dated.map((k) => ({ key: k, label: t(`ins_${k}`), ...f[k] }));
  const out = [];
  if (f.baseline && f.baseline.rate !== undefined) out.push({ key: 'usual', label: t('ins_usual'), rate: f.baseline.rate });
  if (f.during) out.push({ key: 'during', label: t('ins_during'), ...f.during, from: f.period.from, to: f.period.to });
  return out;
}

/** "12/5" (vi) or "12/05" (en): a day on a chart's axis, where the year is the period's. */
function shortDay(day) {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { day: 'numeric', month: 'numeric', timeZone: TZ }).format(new Date(day));
}

function chart(f, rank) {
  const rows = parts(f);
  const counts = rows.some((r) => r.per_day !== undefined);
  const value = (r) => (counts ? r.per_day : r.rate === null || r.rate === undefined ? null : r.rate * 100);
  const bad = f.direction === 'down' || ['loop', 'spike', 'new_event'].includes(f.kind);
  const color = (r) => (r.key === 'during' ? (bad ? BAD : GOOD) : PLAIN);
  const dated = rows.every((r) => r.from);
  const label = (r) => (dated ? `${r.label}\n${shortDay(r.from)} – ${shortDay(r.to)}` : r.label);
  const shown = (v) => (counts ? fmt.num(v, 2) : `${fixed(v, 1)}%`);
  const expected = counts && f.expected_per_day !== undefined ? f.expected_per_day : null;
  return chartCard({
    title: t(rows[0] && rows[0].key === 'usual' ? 'ins_chart_usual' : 'ins_chart'),
    name: `${session.workspace}-insight-${rank}`,
    height: 230,
    option: {
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v) => (v === null || v === undefined ? '–' : shown(v)),
      },
      grid: { left: 56, right: 24, top: 28, bottom: 56 },
      xAxis: { type: 'category', data: rows.map(label), axisLabel: { interval: 0, fontSize: 11, lineHeight: 16 } },
      yAxis: { type: 'value', name: counts ? t('ins_per_day') : t('ins_rate'), nameTextStyle: { align: 'left' }, axisLabel: { formatter: (v) => (counts ? fmt.num(v, 1) : `${fmt.num(v, 0)}%`) } },
      series: [{
        name: counts ? t('ins_per_day') : t('ins_rate'),
        type: 'bar',
        barMaxWidth: 70,
        data: rows.map((r) => ({ value: value(r), itemStyle: { color: color(r) } })),
        label: { show: true, position: 'top', formatter: (p) => (p.value === null || p.value === undefined ? '' : shown(p.value)) },
        markLine: expected === null ? undefined : {
          symbol: 'none',
          lineStyle: { type: 'dashed', color: '#5b6776' },
          label: { position: 'insideEndTop', formatter: t('ins_expected', { n: fmt.num(expected, 2) }) },
          data: [{ yAxis: expected }],
        },
      }],
    },
    data: {
      columns: [t('ins_col_part'), t('ins_col_from'), t('ins_col_to'), t('ins_col_customers'), t('ins_col_converted'), counts ? t('ins_per_day') : t('ins_rate')],
      rows: rows.map((r) => [r.label, r.from || '', r.to || '', r.customers ?? '', r.converted ?? '', counts ? r.per_day : r.rate]),
    },
  });
}

/** The `--steps` of a step's conversion in its slice, as report.py's step_in_slice writes it. */
export function funnelSteps(f) {
  const m = f.metric || {};
  let first = m.from_step;
  if (f.slice) {
    const clause = `${f.slice.field} = '${String(f.slice.value).replace(/'/g, '')}'`;
    first = first.endsWith(']') ? `${first.slice(0, -1)} and ${clause}]` : `${first}[${clause}]`;
  }
  return `${first},${m.to_step}`;
}

/** #/funnel with the finding's steps, window, period and the page's own filter. */
export function funnelLink(f, where) {
  const query = queryString({ steps: funnelSteps(f), window: f.metric.window, since: f.period.from, until: f.period.to, where: where || '' });
  return h('a', { href: `#/funnel?${query}`, class: 'ins-funnel' }, t('ins_open_funnel'));
}

function copyButton(text) {
  const said = h('span', { class: 'muted small', role: 'status' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      said.textContent = t('ins_copied');
    } catch (error) {
      said.textContent = t('ins_copy_failed');
    }
  };
  return [h('button', { type: 'button', class: 'small', onclick: copy }, t('ins_copy')), said];
}

export function evidence(command) {
  if (!command) return null;
  return h(
    'div',
    { class: 'ins-evidence' },
    h('div', { class: 'ins-evidence-head' }, h('strong', {}, t('ins_evidence')), copyButton(command)),
    h('pre', {}, h('code', { translate: 'no' }, command)),
  );
}

function fact(label, ...value) {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

function alsoIn(f) {
  if (!f.also_in || !f.also_in.length) return null;
  return fact(t('ins_also_in'), h('span', { class: 'ins-also' }, f.also_in.map((s, i) => [i ? ', ' : '', whereOf(s)])));
}

function relatedItem(r, where) {
  return h(
    'li',
    { class: 'ins-related-item', dataset: { kind: r.kind } },
    h('div', {}, h('span', { class: 'badge' }, kindLabel(r.kind)), ' ', whatOf(r), r.direction === 'down' ? ' ▼' : ' ▲'),
    h(
      'dl',
      { class: 'facts' },
      fact(t('ins_where'), whereOf(r.slice)),
      fact(t('ins_when'), periodOf(r.period)),
      r.change && r.change.absolute !== undefined ? fact(t('ins_change'), points(r.change.absolute)) : null,
      fact(t('ins_affected'), t('ins_customers_n', { n: fmt.int(r.customers_affected) })),
    ),
    r.kind === 'conversion' && r.metric && r.metric.from_step ? h('p', {}, funnelLink(r, where)) : null,
    evidence(r.command),
  );
}

function related(f, where) {
  if (!f.related || !f.related.length) return null;
  return h(
    'details',
    { class: 'ins-related' },
    h('summary', {}, t('ins_related', { n: fmt.int(f.related.length) })),
    h('ul', {}, f.related.map((r) => relatedItem(r, where))),
  );
}

/** The card of the finding ranked `rank` (1 = most customers affected). */
export function findingCard(f, rank, where) {
  const titleId = `insight-${rank}-title`;
  return h(
    'article',
    { class: 'card insight', id: `insight-${rank}`, 'aria-labelledby': titleId, dataset: { kind: f.kind, direction: f.direction } },
    h(
      'h2',
      { id: titleId },
      h('span', { class: 'ins-rank' }, `${rank}.`),
      h('span', { class: 'ins-headline' }, headline(f)),
    ),
    h(
      'div',
      { class: 'ins-body' },
      h(
        'div',
        {},
        h(
          'dl',
          { class: 'facts' },
          fact(t('ins_what'), h('span', { class: 'badge' }, kindLabel(f.kind)), ' ', whatOf(f)),
          fact(t('ins_where'), whereOf(f.slice)),
          fact(t('ins_when'), periodOf(f.period)),
          fact(t('ins_affected'), h('strong', { class: 'ins-affected', dataset: { value: String(f.customers_affected) } }, t('ins_customers_n', { n: fmt.int(f.customers_affected) }))),
          fact(t('ins_how_sure'), howSure(f)),
          alsoIn(f),
        ),
        f.kind === 'conversion' ? h('p', {}, funnelLink(f, where)) : null,
      ),
      chart(f, rank),
    ),
    related(f, where),
    evidence(f.command),
  );
}
