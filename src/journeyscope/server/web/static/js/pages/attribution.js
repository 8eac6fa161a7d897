// Attribution: the credit each channel gets for purchases under several models, side by side
// — GET /attribution?compare=first,last,markov (the CLI's `attribution --compare ... --json`).
import { api, session, wsPath } from '../api.js';
import { chartCard } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { field, h, table } from '../ui.js';
import {
  apiQuery, data, eventNames, eventOptions, filterForm, input, noData, notesBox, pageHead, readQuery, reportBox, savedCard, select,
} from './dashboards-common.js';

register({
  en: {
    attribution_title: 'Attribution',
    attribution_lead: 'Which channels earn the purchases, under several ways of sharing the credit.',
    attribution_models: 'Models to compare',
    attribution_model_first: 'First touch',
    attribution_model_last: 'Last touch',
    attribution_model_linear: 'Equal shares',
    attribution_model_position: 'First and last weigh most',
    attribution_model_time_decay: 'Recent touches weigh most',
    attribution_model_markov: 'Markov chain (removal effect)',
    attribution_model_shapley: 'Shapley value',
    attribution_conversion: 'Conversion event',
    attribution_lookback: 'Touches up to (before the purchase)',
    attribution_level: 'Credit goes to',
    attribution_level_channel: 'channels',
    attribution_level_touchpoint: 'touchpoints',
    attribution_chart: 'Purchases credited per channel',
    attribution_value_chart: 'Revenue credited per channel (VND)',
    attribution_channel: 'Channel',
    attribution_purchases: 'purchases',
    attribution_summary: '{n} purchases worth {value} shared between channels.',
    attribution_no_touch: '{n} purchases had no touch before them: they count as (direct).',
    attribution_pick: 'Pick at least one model.',
  },
  vi: {
    attribution_title: 'Phân bổ',
    attribution_lead: 'Kênh nào mang lại đơn hàng, theo nhiều cách chia công khác nhau.',
    attribution_models: 'Các mô hình so sánh',
    attribution_model_first: 'Điểm chạm đầu tiên',
    attribution_model_last: 'Điểm chạm cuối cùng',
    attribution_model_linear: 'Chia đều',
    attribution_model_position: 'Đầu và cuối nặng nhất',
    attribution_model_time_decay: 'Gần thời điểm mua nặng nhất',
    attribution_model_markov: 'Chuỗi Markov (hiệu ứng loại bỏ)',
    attribution_model_shapley: 'Giá trị Shapley',
    attribution_conversion: 'Sự kiện chuyển đổi',
    attribution_lookback: 'Tính điểm chạm trong vòng (trước khi mua)',
    attribution_level: 'Ghi công cho',
    attribution_level_channel: 'kênh',
    attribution_level_touchpoint: 'điểm chạm',
    attribution_chart: 'Số đơn hàng ghi công cho từng kênh',
    attribution_value_chart: 'Doanh thu ghi công cho từng kênh (VND)',
    attribution_channel: 'Kênh',
    attribution_purchases: 'đơn hàng',
    attribution_summary: '{n} đơn hàng trị giá {value} được chia cho các kênh.',
    attribution_no_touch: '{n} đơn hàng không có điểm chạm nào trước đó: được tính là (direct).',
    attribution_pick: 'Hãy chọn ít nhất một mô hình.',
  },
});

const MODELS = ['first', 'last', 'linear', 'position', 'time_decay', 'markov', 'shapley'];
const DEFAULTS = { compare: 'first,last,linear,markov', conversion: 'purchase', lookback: '30d', level: 'channel', since: '', until: '', where: '' };

function fields(events, values) {
  const chosen = new Set(values.compare.split(',').map((m) => m.trim()));
  const checks = h(
    'fieldset',
    { class: 'dash-checks dash-wide', id: 'attribution-models' },
    h('legend', {}, t('attribution_models')),
    MODELS.map((m) => h('label', {}, h('input', { type: 'checkbox', value: m, checked: chosen.has(m) }), t(`attribution_model_${m}`))),
  );
  const conversion = select('attribution-conversion', eventOptions(events), values.conversion);
  conversion.setAttribute('translate', 'no');
  return [
    checks,
    field(t('attribution_conversion'), conversion),
    field(t('attribution_lookback'), input('attribution-lookback', values.lookback, { type: 'text', size: 8 }), t('dash_duration_help')),
    field(t('attribution_level'), select('attribution-level', ['channel', 'touchpoint'].map((l) => [l, t(`attribution_level_${l}`)]), values.level)),
  ];
}

function readFields(form) {
  const value = (id) => form.querySelector(`#${id}`).value;
  const compare = [...form.querySelectorAll('#attribution-models input:checked')].map((c) => c.value).join(',');
  return { compare, conversion: value('attribution-conversion'), lookback: value('attribution-lookback'), level: value('attribution-level') };
}

function grouped(title, name, models, channels, pick, format) {
  const label = (m) => t(`attribution_model_${m.model}`);
  return chartCard({
    title,
    name: `${session.workspace}-${name}`,
    height: 400,
    option: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: format },
      legend: { top: 0 },
      grid: { left: 90, right: 20, top: 40, bottom: 70 },
      xAxis: { type: 'category', data: channels, axisLabel: { interval: 0, rotate: 35 } },
      yAxis: { type: 'value', axisLabel: { formatter: (v) => fmt.int(v) } },
      series: models.map((m) => ({ name: label(m), type: 'bar', data: channels.map((c) => pick(m)[c] ?? 0) })),
    },
    data: {
      columns: [t('attribution_channel'), ...models.map(label)],
      rows: channels.map((c) => [c, ...models.map((m) => pick(m)[c] ?? 0)]),
    },
  });
}

async function draw(values) {
  if (!values.compare) return h('div', { class: 'state empty', role: 'status' }, t('attribution_pick'));
  const report = await api(wsPath('/attribution'), { query: apiQuery(values) });
  const models = report.models || [{ model: report.model, conversions: report.conversions || {} }];
  if (!report.total_conversions) return h('div', {}, notesBox(report), noData());
  const channels = Object.keys(models[0].conversions);
  const withValue = models.every((m) => m.value);
  const purchases = (v) => `${fmt.num(v, 1)} ${t('attribution_purchases')}`;
  return h(
    'div',
    {},
    notesBox(report),
    h('p', { class: 'dash-summary' }, t('attribution_summary', { n: fmt.int(report.total_conversions), value: fmt.vnd(report.total_value) })),
    report.conversions_without_touches ? h('p', { class: 'muted' }, t('attribution_no_touch', { n: fmt.int(report.conversions_without_touches) })) : null,
    grouped(t('attribution_chart'), 'attribution', models, channels, (m) => m.conversions, purchases),
    withValue ? grouped(t('attribution_value_chart'), 'attribution-value', models, channels, (m) => m.value, (v) => fmt.vnd(v)) : null,
    h(
      'section',
      { class: 'card', id: 'attribution-table' },
      table(
        [
          { label: t('attribution_channel'), value: (c) => data(c) },
          ...models.map((m) => ({ label: t(`attribution_model_${m.model}`), num: true, value: (c) => fmt.num(m.conversions[c] ?? 0, 1) })),
        ],
        channels,
        { caption: t('attribution_chart') },
      ),
    ),
  );
}

export async function render(main, params, query) {
  main.append(pageHead('attribution_title', 'attribution_lead'));
  const events = await eventNames();
  const values = readQuery(query, DEFAULTS);
  main.append(
    filterForm('attribution', values, fields(events, values), readFields),
    reportBox('attribution-report', () => draw(values)),
    savedCard('attribution', values),
  );
}
