// Stages: how many customers reached each stage of the journey, are there now, are stalled,
// and how many move on and how fast — GET /stages (the CLI's `journeyscope stages --json`).
import { api, session, wsPath } from '../api.js';
import { chartCard } from '../charts.js';
import { fmt, lang, register, t } from '../i18n.js';
import { field, h, table } from '../ui.js';
import { apiQuery, filterForm, input, noData, notesBox, pageHead, readQuery, reportBox, savedCard, select } from './dashboards-common.js';

register({
  en: {
    stages_title: 'Stages',
    stages_lead: 'Where customers are in the journey, who is stuck, and how fast they move on.',
    stages_model: 'Stage model',
    stages_stall: 'Stalled after',
    stages_chart: 'Customers per stage',
    stages_conversion_chart: 'Moving on to the next stage',
    stages_stage: 'Stage',
    stages_reached: 'Reached',
    stages_current: 'There now',
    stages_stalled: 'Stalled',
    stages_conversion: 'Went on to the next',
    stages_time: 'Median time to the next',
    stages_summary: '{events} events placed in stages; {without} had no stage.',
    stages_data_ends: 'Data ends {date}; “stalled” means no move for {stall}.',
  },
  vi: {
    stages_title: 'Giai đoạn',
    stages_lead: 'Khách hàng đang ở đâu trong hành trình, ai bị kẹt, và họ đi tiếp nhanh thế nào.',
    stages_model: 'Mô hình giai đoạn',
    stages_stall: 'Coi là kẹt sau',
    stages_chart: 'Khách hàng theo giai đoạn',
    stages_conversion_chart: 'Tỷ lệ đi tiếp sang giai đoạn sau',
    stages_stage: 'Giai đoạn',
    stages_reached: 'Đã đến',
    stages_current: 'Đang ở đây',
    stages_stalled: 'Bị kẹt',
    stages_conversion: 'Đi tiếp giai đoạn sau',
    stages_time: 'Thời gian trung vị đến giai đoạn sau',
    stages_summary: '{events} sự kiện được xếp vào giai đoạn; {without} sự kiện không thuộc giai đoạn nào.',
    stages_data_ends: 'Dữ liệu kết thúc ngày {date}; “bị kẹt” nghĩa là không chuyển giai đoạn trong {stall}.',
  },
});

const DEFAULTS = { model: 'retail5', stall: '30d', since: '', until: '', where: '' };

function modelName(model) {
  const name = model.name;
  if (name && typeof name === 'object') return name[lang] || name.en || name.vi || model.id;
  return name || model.id;
}

function fields(models, values) {
  return [
    field(t('stages_model'), select('stages-model', models.map((m) => [m.id, modelName(m)]), values.model)),
    field(t('stages_stall'), input('stages-stall', values.stall, { type: 'text', size: 8, spellcheck: 'false' }), t('dash_duration_help')),
  ];
}

function readFields(form) {
  return { model: form.querySelector('#stages-model').value, stall: form.querySelector('#stages-stall').value };
}

function charts(report) {
  const names = report.stages.map((s) => s.name);
  const series = [
    ['stages_reached', 'customers'],
    ['stages_current', 'current'],
    ['stages_stalled', 'stalled'],
  ];
  const moving = report.stages.filter((s) => s.conversion_to_next !== null && s.conversion_to_next !== undefined);
  return h(
    'div',
    { class: 'dash-two' },
    chartCard({
      title: t('stages_chart'),
      name: `${session.workspace}-stages`,
      option: {
        tooltip: { trigger: 'axis', valueFormatter: (v) => t('dash_customers_n', { n: fmt.int(v) }) },
        legend: { top: 0 },
        grid: { left: 56, right: 16, top: 40, bottom: 40 },
        xAxis: { type: 'category', data: names, axisLabel: { interval: 0, width: 110, overflow: 'break' } },
        yAxis: { type: 'value', name: t('dash_customers'), axisLabel: { formatter: (v) => fmt.int(v) } },
        series: series.map(([key, col]) => ({ name: t(key), type: 'bar', data: report.stages.map((s) => s[col]) })),
      },
      data: {
        columns: [t('stages_stage'), ...series.map(([key]) => t(key)), t('stages_conversion'), t('stages_time')],
        rows: report.stages.map((s) => [s.name, s.customers, s.current, s.stalled, s.conversion_to_next, s.median_seconds_to_next]),
      },
    }),
    chartCard({
      title: t('stages_conversion_chart'),
      name: `${session.workspace}-stages-conversion`,
      option: {
        tooltip: { trigger: 'axis', valueFormatter: (v) => fmt.pct(v) },
        grid: { left: 56, right: 16, top: 30, bottom: 40 },
        xAxis: { type: 'category', data: moving.map((s) => s.name), axisLabel: { interval: 0, width: 110, overflow: 'break' } },
        yAxis: { type: 'value', max: 1, axisLabel: { formatter: (v) => fmt.pct(v, 0) } },
        series: [{
          name: t('stages_conversion'),
          type: 'bar',
          barMaxWidth: 70,
          data: moving.map((s) => s.conversion_to_next),
          label: { show: true, position: 'top', formatter: (p) => fmt.pct(p.value) },
        }],
      },
      data: {
        columns: [t('stages_stage'), t('stages_conversion')],
        rows: moving.map((s) => [s.name, s.conversion_to_next]),
      },
    }),
  );
}

async function draw(values) {
  const report = await api(wsPath('/stages'), { query: apiQuery(values) });
  if (!report.stages.some((s) => s.customers)) return h('div', {}, notesBox(report), noData());
  return h(
    'div',
    {},
    notesBox(report),
    h('p', { class: 'dash-summary' }, t('stages_summary', { events: fmt.int(report.events), without: fmt.int(report.events_without_stage) })),
    report.data_ends ? h('p', { class: 'muted' }, t('stages_data_ends', { date: fmt.date(report.data_ends), stall: fmt.duration(report.stall_seconds) })) : null,
    charts(report),
    h(
      'section',
      { class: 'card', id: 'stages-table' },
      table(
        [
          { label: t('stages_stage'), value: (s) => s.name },
          { label: t('stages_reached'), num: true, value: (s) => fmt.int(s.customers) },
          { label: t('stages_current'), num: true, value: (s) => fmt.int(s.current) },
          { label: t('stages_stalled'), num: true, value: (s) => fmt.int(s.stalled) },
          { label: t('stages_conversion'), num: true, value: (s) => fmt.pct(s.conversion_to_next) },
          { label: t('stages_time'), num: true, value: (s) => fmt.duration(s.median_seconds_to_next) },
        ],
        report.stages,
      ),
    ),
  );
}

export async function render(main, params, query) {
  main.append(pageHead('stages_title', 'stages_lead'));
  const models = await api(wsPath('/stage-models'));
  const values = readQuery(query, DEFAULTS);
  main.append(
    filterForm('stages', values, fields(models, values), readFields),
    reportBox('stages-report', () => draw(values)),
    savedCard('stages', values),
  );
}
