// Funnel builder: steps picked from the workspace's events (each may carry a filter), the
// window, the mode, a breakdown and exclusions; the chart and table come from
// GET /funnel (the CLI's `journeyscope funnel --json`); clicking a step lists who dropped there.
import { api, session, wsPath } from '../api.js';
import { chartCard } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { field, h, table } from '../ui.js';
import {
  apiQuery, BY_FIELDS, data, eventNames, eventOptions, filterForm, input, noData, notesBox, pageHead, readQuery, reportBox, savedCard, select,
} from './dashboards-common.js';
import { droppedPanel, showDropped } from './dashboards-dropped.js';
import {
  SESSION_DEFAULTS, countLabel, countN, perSession, readSession, sessionFields, sessionNote,
} from './dashboards-sessions.js';

register({
  en: {
    funnel_title: 'Funnel',
    funnel_lead: 'How many customers reach each step, and where they drop off.',
    funnel_steps: 'Steps, in order',
    funnel_step_n: 'Step {n}',
    funnel_step_filter: 'Filter of step {n}',
    funnel_step_filter_help: 'A filter is optional: category=bags keeps only those events.',
    funnel_add_step: 'Add a step',
    funnel_remove_step: 'Remove step {n}',
    funnel_window: 'Time to complete (from step 1)',
    funnel_mode: 'Counting rule',
    funnel_mode_ordered: 'Steps in order, other events between allowed',
    funnel_mode_clickhouse: 'In order (as ClickHouse counts)',
    funnel_mode_strict_order: 'Strict order: no other event between steps',
    funnel_mode_strict_deduplication: 'Stop at a repeated step',
    funnel_mode_strict_increase: 'Strictly later times only',
    funnel_mode_unordered: 'Any order',
    funnel_by: 'Split by',
    funnel_exclude: 'Exclude attempts with',
    funnel_exclude_help: 'Ctrl or Shift to pick several',
    funnel_chart: 'Customers per step',
    funnel_step: 'Step',
    funnel_conversion: 'Conversion from step 1',
    funnel_from_previous: 'From previous step',
    funnel_dropped: 'Dropped here',
    funnel_who: 'Who dropped?',
    funnel_who_label: 'Who dropped at step {n}',
    funnel_overall: 'Customers converting: {n} of {total} ({pct})',
    funnel_excluded: '{n} customers left out by exclusions',
    funnel_click_hint: 'Click a bar or “Who dropped?” to list the customers lost at that step.',
    funnel_completed: 'Completed {n} of the steps',
    funnel_need_two: 'Pick at least two steps',
    funnel_need_two_detail: 'A funnel compares steps: add a second step above, then press Show.',
    funnel_chart_sessions: 'Sessions per step',
    funnel_overall_sessions: 'Sessions converting: {n} of {total} ({pct})',
    funnel_click_hint_sessions: 'Who dropped is a list of customers: it is not offered when each session is a journey. Choose “Journey = customer” to list them.',
  },
  vi: {
    funnel_title: 'Phễu',
    funnel_lead: 'Bao nhiêu khách hàng đến được từng bước, và họ rời bỏ ở đâu.',
    funnel_steps: 'Các bước, theo thứ tự',
    funnel_step_n: 'Bước {n}',
    funnel_step_filter: 'Bộ lọc của bước {n}',
    funnel_step_filter_help: 'Bộ lọc không bắt buộc: category=bags chỉ giữ các sự kiện đó.',
    funnel_add_step: 'Thêm bước',
    funnel_remove_step: 'Bỏ bước {n}',
    funnel_window: 'Thời gian hoàn tất (tính từ bước 1)',
    funnel_mode: 'Cách đếm',
    funnel_mode_ordered: 'Đúng thứ tự, cho phép sự kiện khác xen giữa',
    funnel_mode_clickhouse: 'Đúng thứ tự (cách đếm của ClickHouse)',
    funnel_mode_strict_order: 'Thứ tự nghiêm ngặt: không sự kiện nào xen giữa',
    funnel_mode_strict_deduplication: 'Dừng khi một bước lặp lại',
    funnel_mode_strict_increase: 'Chỉ tính thời điểm muộn hơn hẳn',
    funnel_mode_unordered: 'Thứ tự bất kỳ',
    funnel_by: 'Chia theo',
    funnel_exclude: 'Loại lượt có sự kiện',
    funnel_exclude_help: 'giữ Ctrl hoặc Shift để chọn nhiều',
    funnel_chart: 'Khách hàng theo từng bước',
    funnel_step: 'Bước',
    funnel_conversion: 'Chuyển đổi từ bước 1',
    funnel_from_previous: 'So với bước trước',
    funnel_dropped: 'Rời bỏ ở bước này',
    funnel_who: 'Ai đã rời bỏ?',
    funnel_who_label: 'Ai đã rời bỏ ở bước {n}',
    funnel_overall: 'Khách hàng chuyển đổi: {n} trên {total} ({pct})',
    funnel_excluded: '{n} khách hàng bị loại do điều kiện loại trừ',
    funnel_click_hint: 'Bấm vào một cột hoặc “Ai đã rời bỏ?” để xem danh sách khách hàng mất ở bước đó.',
    funnel_completed: 'Hoàn thành {n} bước',
    funnel_need_two: 'Hãy chọn ít nhất hai bước',
    funnel_need_two_detail: 'Phễu so sánh các bước: thêm bước thứ hai ở trên rồi bấm Xem.',
    funnel_chart_sessions: 'Số phiên theo từng bước',
    funnel_overall_sessions: 'Phiên chuyển đổi: {n} trên {total} ({pct})',
    funnel_click_hint_sessions: 'Danh sách người rời bỏ là danh sách khách hàng nên không có khi mỗi phiên là một hành trình. Chọn “Hành trình = khách hàng” để xem.',
  },
});

const MODES = ['ordered', 'clickhouse', 'strict_order', 'strict_deduplication', 'strict_increase', 'unordered'];
const DEFAULTS = { steps: '', window: '14d', mode: 'ordered', by: '', exclude: [], ...SESSION_DEFAULTS, since: '', until: '', where: '' };
const PREFERRED = ['product_view', 'add_to_cart', 'checkout', 'purchase'];

/** "a[x=1],b" → [{event: 'a', filter: 'x=1'}, {event: 'b', filter: ''}] (commas inside [] stay). */
export function splitSteps(text) {
  const parts = [];
  let depth = 0;
  let current = '';
  for (const c of text || '') {
    if (c === '[' || c === '(') depth += 1;
    if (c === ']' || c === ')') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const open = p.indexOf('[');
      return open > 0 && p.endsWith(']') ? { event: p.slice(0, open), filter: p.slice(open + 1, -1) } : { event: p, filter: '' };
    });
}

function joinSteps(steps) {
  return steps.filter((s) => s.event).map((s) => (s.filter.trim() ? `${s.event}[${s.filter.trim()}]` : s.event)).join(',');
}

function defaultSteps(events) {
  const known = new Set(events.map((e) => e.event));
  const preferred = PREFERRED.filter((e) => known.has(e));
  const picked = preferred.length >= 2 ? preferred : events.slice(0, 3).map((e) => e.event);
  return picked.join(',');
}

function stepRow(events, step, index, list) {
  const n = index + 1;
  const pick = select(`funnel-step-${n}`, eventOptions(events), step.event);
  pick.setAttribute('translate', 'no');
  pick.dataset.step = 'event';
  const filter = input(`funnel-step-filter-${n}`, step.filter, { type: 'text', size: 18, spellcheck: 'false', translate: 'no' });
  filter.dataset.step = 'filter';
  const remove = h('button', { type: 'button', class: 'small', 'aria-label': t('funnel_remove_step', { n }), onclick: () => removeStep(events, row, list) }, '×');
  const row = h('li', { class: 'funnel-step' }, field(t('funnel_step_n', { n }), pick), field(t('funnel_step_filter', { n }), filter), remove);
  list.append(row);
}

/** Remove a step; the others are numbered again (their labels and ids follow). */
function removeStep(events, row, list) {
  row.remove();
  const kept = readSteps(list);
  list.replaceChildren();
  kept.forEach((step, i) => stepRow(events, step, i, list));
  const next = list.querySelector('select');
  if (next) next.focus();
}

function stepsEditor(events, steps) {
  const list = h('ol', { class: 'funnel-steps', id: 'funnel-steps' });
  steps.forEach((step, i) => stepRow(events, step, i, list));
  const add = h('button', { type: 'button', class: 'small', id: 'funnel-add-step', onclick: () => stepRow(events, { event: events[0] ? events[0].event : '', filter: '' }, list.children.length, list) }, t('funnel_add_step'));
  return h('fieldset', { class: 'dash-wide funnel-steps-box' }, h('legend', {}, t('funnel_steps')), list, h('div', { class: 'funnel-steps-foot' }, add, h('small', { class: 'muted' }, t('funnel_step_filter_help'))));
}

function readSteps(form) {
  return [...form.querySelectorAll('.funnel-step')].map((row) => ({
    event: row.querySelector('[data-step=event]').value,
    filter: row.querySelector('[data-step=filter]').value,
  }));
}

function fields(events, values) {
  const window_ = input('funnel-window', values.window, { type: 'text', size: 8, spellcheck: 'false' });
  const mode = select('funnel-mode', MODES.map((m) => [m, t(`funnel_mode_${m}`)]), values.mode);
  const by = select('funnel-by', [['', t('dash_none')], ...BY_FIELDS.map((f) => [f, t(`dash_by_${f}`)])], values.by);
  const exclude = select('funnel-exclude', eventOptions(events), null);
  exclude.multiple = true;
  exclude.size = 4;
  exclude.setAttribute('translate', 'no');
  for (const option of exclude.options) option.selected = values.exclude.includes(option.value);
  return [
    stepsEditor(events, splitSteps(values.steps)),
    field(t('funnel_window'), window_, t('dash_duration_help')),
    field(t('funnel_mode'), mode),
    field(t('funnel_by'), by),
    field(t('funnel_exclude'), exclude, t('funnel_exclude_help')),
    ...sessionFields('funnel', values),
  ];
}

function readFields(form) {
  return {
    steps: joinSteps(readSteps(form)),
    window: form.querySelector('#funnel-window').value,
    mode: form.querySelector('#funnel-mode').value,
    by: form.querySelector('#funnel-by').value,
    exclude: [...form.querySelector('#funnel-exclude').selectedOptions].map((o) => o.value),
    ...readSession('funnel', form),
  };
}

function num(n, text) {
  return h('span', { dataset: { value: n === null || n === undefined ? '' : String(n) } }, text);
}

/** A step's name for people: any-order funnels count steps done ("completed 2 steps"). */
function stepName(report, i) {
  return report.mode === 'unordered' ? t('funnel_completed', { n: i + 1 }) : report.steps[i].step;
}

function groupName(value) {
  return value === '(none)' ? t('dash_none') : value;
}

function chart(report, onStep) {
  const labels = report.steps.map((s, i) => stepName(report, i));
  const groups = (report.breakdown || []).slice(0, 8);
  const series = groups.length
    ? groups.map((g) => ({ name: groupName(g.value), type: 'bar', data: g.steps.map((s) => s.customers) }))
    : [{
      name: countLabel(report),
      type: 'bar',
      barMaxWidth: 90,
      data: report.steps.map((s) => s.customers),
      label: { show: true, position: 'top', formatter: (p) => `${fmt.int(p.value)} · ${fmt.pct(report.steps[p.dataIndex].conversion)}` },
    }];
  return chartCard({
    title: t(perSession(report) ? 'funnel_chart_sessions' : 'funnel_chart'),
    name: `${session.workspace}-funnel`,
    option: {
      tooltip: { trigger: 'axis', valueFormatter: (v) => countN(report, v) },
      legend: groups.length ? { top: 0, type: 'scroll' } : undefined,
      grid: { left: 60, right: 24, top: groups.length ? 40 : 30, bottom: 50 },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, width: 140, overflow: 'truncate' } },
      yAxis: { type: 'value', name: countLabel(report), nameTextStyle: { align: 'left' }, axisLabel: { formatter: (v) => fmt.int(v) } },
      series,
    },
    data: {
      columns: [t('funnel_step'), ...(groups.length ? groups.map((g) => groupName(g.value)) : [countLabel(report), t('funnel_conversion')])],
      rows: report.steps.map((s, i) => [stepName(report, i), ...(groups.length ? groups.map((g) => g.steps[i].customers) : [s.customers, s.conversion])]),
    },
    onClick: (p) => onStep(p.dataIndex),
  });
}

function stepsTable(report, onStep) {
  return h(
    'div',
    { id: 'funnel-table' },
    table(
      [
        { label: t('funnel_step'), value: (s) => (report.mode === 'unordered' ? stepName(report, report.steps.indexOf(s)) : data(s.step)) },
        { label: countLabel(report), num: true, value: (s) => num(s.customers, fmt.int(s.customers)) },
        { label: t('funnel_conversion'), num: true, value: (s) => num(s.conversion, fmt.pct(s.conversion)) },
        { label: t('funnel_from_previous'), num: true, value: (s) => num(s.conversion_from_previous, fmt.pct(s.conversion_from_previous)) },
        { label: t('funnel_dropped'), num: true, value: (s) => num(s.dropped, fmt.int(s.dropped)) },
        { label: t('dash_median_time'), num: true, value: (s) => fmt.duration(s.median_seconds) },
        perSession(report) ? null : {
          label: t('funnel_who'),
          value: (s) => {
            const i = report.steps.indexOf(s);
            return i > 0 && s.dropped ? h('button', { type: 'button', class: 'small', 'aria-label': t('funnel_who_label', { n: i + 1 }), onclick: () => onStep(i) }, t('funnel_who')) : null;
          },
        },
      ].filter(Boolean),
      report.steps,
    ),
  );
}

async function draw(values) {
  if (splitSteps(values.steps).length < 2) return h('div', { class: 'state empty', role: 'status' }, h('strong', {}, t('funnel_need_two')), h('p', {}, t('funnel_need_two_detail')));
  const params = apiQuery(values);
  const report = await api(wsPath('/funnel'), { query: params });
  if (!report.steps.length || !report.steps[0].customers) return h('div', {}, notesBox(report, ['step_empty']), noData());
  const panel = droppedPanel();
  // the step a customer reached last, as the funnel's query names it (the CLI's --dropped-at)
  const asked = splitSteps(values.steps).map((s) => (s.filter ? `${s.event}[${s.filter}]` : s.event));
  const label = (i) => (report.mode === 'unordered' ? asked[i] : report.steps[i].step);
  // who dropped is a list of customers: the API refuses it per session
  const onStep = (i) => {
    if (i > 0 && !perSession(report)) showDropped(panel, params, label(i - 1), stepName(report, i - 1), stepName(report, i));
  };
  const first = report.steps[0].customers;
  const last = report.steps[report.steps.length - 1];
  return h(
    'div',
    {},
    notesBox(report),
    sessionNote(report),
    h('p', { class: 'dash-summary' }, t(perSession(report) ? 'funnel_overall_sessions' : 'funnel_overall', { n: fmt.int(last.customers), total: fmt.int(first), pct: fmt.pct(last.conversion) })),
    report.excluded_customers ? h('p', { class: 'muted' }, t('funnel_excluded', { n: fmt.int(report.excluded_customers) })) : null,
    chart(report, onStep),
    h('p', { class: 'muted small', id: 'funnel-click-hint' }, t(perSession(report) ? 'funnel_click_hint_sessions' : 'funnel_click_hint')),
    stepsTable(report, onStep),
    panel,
  );
}

export async function render(main, params, query) {
  main.append(pageHead('funnel_title', 'funnel_lead'));
  const events = await eventNames();
  const values = readQuery(query, DEFAULTS);
  if (!values.steps) values.steps = defaultSteps(events);
  main.append(
    filterForm('funnel', values, fields(events, values), readFields),
    reportBox('funnel-report', () => draw(values)),
    savedCard('funnel', values),
  );
}
