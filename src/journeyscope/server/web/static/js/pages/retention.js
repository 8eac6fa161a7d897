// Retention: cohorts of first purchase and how many come back each period (a heatmap), and
// the customers at risk of churning with the reason — GET /retention (`retention --json`).
import { api, session, wsPath } from '../api.js';
import { chartCard, esc } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { download, empty, field, h, table, toCsv } from '../ui.js';
import {
  apiQuery, data, eventNames, eventOptions, filterForm, input, noData, notesBox, pageHead, readQuery, reportBox, savedCard, select, tData,
} from './dashboards-common.js';

register({
  en: {
    retention_title: 'Retention',
    retention_lead: 'How many customers come back after their first purchase, and who is about to leave.',
    retention_period: 'Cohorts by',
    retention_period_day: 'day',
    retention_period_week: 'week',
    retention_period_month: 'month',
    retention_purchase: 'Purchase event',
    retention_threshold: 'At risk when the chance of being gone is over',
    retention_heatmap: 'Share of each cohort coming back, period by period',
    retention_cohort: 'Cohort',
    retention_after: 'Periods after the first',
    retention_after_n: '+{n}',
    retention_churn: 'Customers at risk of leaving',
    retention_churn_summary: '{n} of {total} buying customers are at risk ({pct}).',
    retention_reasons_chart: 'Why they are at risk',
    retention_days_since: 'Days since last purchase',
    retention_gap: 'Usual gap between purchases (days)',
    retention_risk: 'Risk',
    retention_reason: 'Reason',
    retention_reason_bad_review: 'Left a bad review',
    retention_reason_unresolved_support: 'Support problem not solved',
    retention_reason_last_touchpoint: 'Gone quiet after a touchpoint',
    retention_reason_last: 'Last seen at {touchpoint}',
    retention_reason_overdue: 'Overdue for a purchase',
    retention_no_churn: 'Nobody at risk',
    retention_no_churn_detail: 'No buying customer is overdue at this threshold.',
    retention_email: 'E-mail',
    retention_phone: 'Phone',
    retention_top: 'The {n} customers most at risk:',
    retention_csv: 'Export the list (CSV)',
  },
  vi: {
    retention_title: 'Giữ chân',
    retention_lead: 'Bao nhiêu khách hàng quay lại sau lần mua đầu tiên, và ai sắp rời bỏ.',
    retention_period: 'Nhóm khách theo',
    retention_period_day: 'ngày',
    retention_period_week: 'tuần',
    retention_period_month: 'tháng',
    retention_purchase: 'Sự kiện mua hàng',
    retention_threshold: 'Có nguy cơ khi xác suất đã rời bỏ vượt quá',
    retention_heatmap: 'Tỷ lệ khách của mỗi nhóm quay lại, theo từng kỳ',
    retention_cohort: 'Nhóm khách',
    retention_after: 'Số kỳ sau lần đầu',
    retention_after_n: '+{n}',
    retention_churn: 'Khách hàng có nguy cơ rời bỏ',
    retention_churn_summary: '{n} trên {total} khách đã mua hàng đang có nguy cơ rời bỏ ({pct}).',
    retention_reasons_chart: 'Vì sao họ có nguy cơ rời bỏ',
    retention_days_since: 'Số ngày từ lần mua cuối',
    retention_gap: 'Khoảng cách thường giữa hai lần mua (ngày)',
    retention_risk: 'Mức rủi ro',
    retention_reason: 'Lý do',
    retention_reason_bad_review: 'Để lại đánh giá xấu',
    retention_reason_unresolved_support: 'Vấn đề hỗ trợ chưa được giải quyết',
    retention_reason_last_touchpoint: 'Im lặng sau một điểm chạm',
    retention_reason_last: 'Lần cuối thấy tại {touchpoint}',
    retention_reason_overdue: 'Đã quá hạn mua lại',
    retention_no_churn: 'Không ai có nguy cơ',
    retention_no_churn_detail: 'Không khách hàng nào quá hạn mua lại ở ngưỡng này.',
    retention_email: 'E-mail',
    retention_phone: 'Điện thoại',
    retention_top: '{n} khách hàng có nguy cơ cao nhất:',
    retention_csv: 'Xuất danh sách (CSV)',
  },
});

const PERIODS = ['day', 'week', 'month'];
const DEFAULTS = { period: 'month', purchase: 'purchase', threshold: '0.95', since: '', until: '', where: '' };

function fields(events, values) {
  const purchase = select('retention-purchase', eventOptions(events), values.purchase);
  purchase.setAttribute('translate', 'no');
  return [
    field(t('retention_period'), select('retention-period', PERIODS.map((p) => [p, t(`retention_period_${p}`)]), values.period)),
    field(t('retention_purchase'), purchase),
    field(t('retention_threshold'), input('retention-threshold', values.threshold, { type: 'number', min: 0.5, max: 0.999, step: 0.01 })),
  ];
}

function readFields(form) {
  const value = (id) => form.querySelector(`#${id}`).value;
  return { period: value('retention-period'), purchase: value('retention-purchase'), threshold: value('retention-threshold') };
}

function heatmap(report) {
  const cohorts = report.cohorts;
  const width = Math.max(...cohorts.map((c) => c.retention.length));
  const offsets = Array.from({ length: width }, (_, i) => t('retention_after_n', { n: i }));
  const cells = cohorts.flatMap((c, y) => c.retention.map((r, x) => [x, y, r]));
  return chartCard({
    title: t('retention_heatmap'),
    name: `${session.workspace}-retention`,
    height: Math.max(260, 34 * cohorts.length + 110),
    option: {
      tooltip: {
        position: 'top',
        formatter: (p) => esc(`${cohorts[p.value[1]].cohort} · ${offsets[p.value[0]]}: ${fmt.pct(p.value[2])}`),
      },
      grid: { left: 90, right: 20, top: 10, bottom: 80 },
      xAxis: { type: 'category', data: offsets, name: t('retention_after'), nameLocation: 'middle', nameGap: 28, splitArea: { show: true } },
      yAxis: { type: 'category', inverse: true, data: cohorts.map((c) => `${c.cohort} (${fmt.int(c.customers)})`), splitArea: { show: true } },
      visualMap: { min: 0, max: 1, calculable: false, text: [fmt.pct(1, 0), fmt.pct(0, 0)], orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, formatter: (v) => fmt.pct(v, 0), inRange: { color: ['#f5f7fa', '#9cc3e4', '#1f4e79'] } },
      series: [{ type: 'heatmap', data: cells, label: { show: true, formatter: (p) => fmt.pct(p.value[2], 0), fontSize: 11 } }],
    },
    data: {
      columns: [t('retention_cohort'), t('dash_customers'), ...offsets],
      rows: cohorts.map((c) => [c.cohort, c.customers, ...c.retention]),
    },
  });
}

function reasonText(reason) {
  if (!reason) return t('retention_reason_overdue');
  if (reason.startsWith('last_touchpoint:')) return tData('retention_reason_last', { touchpoint: reason.slice('last_touchpoint:'.length) });
  const key = `retention_reason_${reason}`;
  return ['bad_review', 'unresolved_support', 'last_touchpoint'].includes(reason) ? t(key) : data(reason);
}

function reasonsChart(churn) {
  const reasons = Object.entries(churn.reasons || {});
  const label = (r) => (['bad_review', 'unresolved_support', 'last_touchpoint'].includes(r) ? t(`retention_reason_${r}`) : r);
  return chartCard({
    title: t('retention_reasons_chart'),
    name: `${session.workspace}-churn-reasons`,
    height: 260,
    option: {
      tooltip: { trigger: 'item', valueFormatter: (v) => t('dash_customers_n', { n: fmt.int(v) }) },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['40%', '68%'], center: ['50%', '44%'], data: reasons.map(([r, n]) => ({ name: label(r), value: n })), label: { formatter: (p) => `${fmt.int(p.value)}` } }],
    },
    data: { columns: [t('retention_reason'), t('dash_customers')], rows: reasons.map(([r, n]) => [label(r), n]) },
  });
}

function exportChurn(rows) {
  const columns = ['customer_id', 'risk', 'reason', 'days_since', 'mean_gap_days', 'email', 'phone'];
  download(`${session.workspace}-churn-risk.csv`, toCsv(columns, rows.map((r) => columns.map((c) => r[c]))));
}

function churnList(churn) {
  if (!churn.at_risk) return empty(t('retention_no_churn'), t('retention_no_churn_detail'));
  return h(
    'section',
    { class: 'card', id: 'retention-churn' },
    h('h2', {}, t('retention_churn')),
    h('p', { class: 'dash-summary' }, t('retention_churn_summary', { n: fmt.int(churn.at_risk), total: fmt.int(churn.customers), pct: fmt.pct(churn.at_risk / churn.customers) })),
    reasonsChart(churn),
    h(
      'div',
      { class: 'toolbar' },
      h('p', { class: 'muted' }, t('retention_top', { n: fmt.int((churn.top || []).length) })),
      h('button', { type: 'button', id: 'retention-churn-csv', onclick: () => exportChurn(churn.top || []) }, t('retention_csv')),
    ),
    table(
      [
        { label: t('dash_customer'), value: (c) => h('a', { href: `#/customers/${encodeURIComponent(c.customer_id)}`, translate: 'no' }, String(c.customer_id)) },
        { label: t('retention_reason'), value: (c) => reasonText(c.reason) },
        { label: t('retention_days_since'), num: true, value: (c) => fmt.int(c.days_since) },
        { label: t('retention_gap'), num: true, value: (c) => fmt.num(c.mean_gap_days, 1) },
        { label: t('retention_risk'), num: true, value: (c) => fmt.pct(c.risk) },
        { label: t('retention_email'), value: (c) => data(c.email) },
        { label: t('retention_phone'), value: (c) => data(c.phone) },
      ],
      churn.top || [],
    ),
  );
}

async function draw(values) {
  const report = await api(wsPath('/retention'), { query: apiQuery(values) });
  if (!report.cohorts.length) return h('div', {}, notesBox(report), noData());
  return h('div', {}, notesBox(report), heatmap(report), churnList(report.churn || {}));
}

export async function render(main, params, query) {
  main.append(pageHead('retention_title', 'retention_lead'));
  const events = await eventNames();
  const values = readQuery(query, DEFAULTS);
  main.append(
    filterForm('retention', values, fields(events, values), readFields),
    reportBox('retention-report', () => draw(values)),
    savedCard('retention', values),
  );
}
