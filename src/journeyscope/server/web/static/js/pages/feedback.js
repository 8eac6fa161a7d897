// Feedback (#/feedback): what customers said — NPS, CSAT, CES, stars, sentiment and the
// aspects they complained about — by touchpoint, channel or kind of feedback, for a period.
// The numbers are `journeyscope feedback summary --json` (GET .../feedback/summary).
import { api, session, wsPath } from '../api.js';
import { chartCard } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { field, h, table } from '../ui.js';
import { data, go, input, pageHead, readQuery, reportBox, select } from './dashboards-common.js';

register({
  en: {
    feedback_title: 'Feedback',
    feedback_lead: 'What customers said in surveys, reviews and tickets: scores, sentiment and what they complained about.',
    feedback_filters: 'Show',
    feedback_by: 'Group by',
    feedback_by_touchpoint: 'touchpoint',
    feedback_by_channel: 'channel',
    feedback_by_kind: 'kind of feedback',
    feedback_from: 'From',
    feedback_to: 'To',
    feedback_run: 'Show',
    feedback_reset: 'Reset',
    feedback_empty: 'No feedback imported yet',
    feedback_empty_detail: 'Import survey answers, marketplace reviews or hotline/Zalo tickets with this command, then open this page again:',
    feedback_empty_period: 'No feedback in this period. Choose a longer period.',
    feedback_responses: 'Responses',
    feedback_nps: 'NPS',
    feedback_nps_unit: 'points (−100…100), n = {n}',
    feedback_csat: 'Average CSAT',
    feedback_ces: 'Average CES',
    feedback_ces_unit: 'of 7 (lower is easier), n = {n}',
    feedback_stars: 'Average stars',
    feedback_of5: 'of 5, n = {n}',
    feedback_sentiment: 'Sentiment',
    feedback_sentiment_unit: 'mean score (−1…+1), n = {n} texts',
    feedback_answers: 'answers',
    feedback_nps_chart: 'NPS answers: promoters, passives, detractors',
    feedback_promoters: 'Promoters (9–10)',
    feedback_passives: 'Passives (7–8)',
    feedback_detractors: 'Detractors (0–6)',
    feedback_sentiment_chart: 'Sentiment of the texts (share)',
    feedback_positive: 'Positive',
    feedback_neutral: 'Neutral',
    feedback_negative: 'Negative',
    feedback_aspects_chart: 'Top aspects: texts and negative ones',
    feedback_aspect: 'Aspect',
    feedback_texts: 'Texts',
    feedback_negative_texts: 'Negative texts',
    feedback_no_aspects: 'No aspect found in the texts of this period.',
    feedback_table: 'Scores per group',
    feedback_group: 'Group',
    feedback_all: 'All feedback',
    feedback_none_key: '(not given)',
    feedback_value_n: '{value} (n = {n})',
  },
  vi: {
    feedback_title: 'Phản hồi',
    feedback_lead: 'Khách hàng nói gì trong khảo sát, đánh giá và phiếu hỗ trợ: điểm số, cảm xúc và điều họ phàn nàn.',
    feedback_filters: 'Hiển thị',
    feedback_by: 'Nhóm theo',
    feedback_by_touchpoint: 'điểm chạm',
    feedback_by_channel: 'kênh',
    feedback_by_kind: 'loại phản hồi',
    feedback_from: 'Từ ngày',
    feedback_to: 'Đến ngày',
    feedback_run: 'Xem',
    feedback_reset: 'Đặt lại',
    feedback_empty: 'Chưa nhập phản hồi nào',
    feedback_empty_detail: 'Hãy nhập câu trả lời khảo sát, đánh giá trên sàn hoặc phiếu hotline/Zalo bằng lệnh sau, rồi mở lại trang này:',
    feedback_empty_period: 'Không có phản hồi trong khoảng thời gian này. Hãy chọn khoảng dài hơn.',
    feedback_responses: 'Số phản hồi',
    feedback_nps: 'NPS',
    feedback_nps_unit: 'điểm (−100…100), n = {n}',
    feedback_csat: 'CSAT trung bình',
    feedback_ces: 'CES trung bình',
    feedback_ces_unit: 'trên 7 (càng thấp càng dễ), n = {n}',
    feedback_stars: 'Số sao trung bình',
    feedback_of5: 'trên 5, n = {n}',
    feedback_sentiment: 'Cảm xúc',
    feedback_sentiment_unit: 'điểm trung bình (−1…+1), n = {n} văn bản',
    feedback_answers: 'câu trả lời',
    feedback_nps_chart: 'Câu trả lời NPS: ủng hộ, trung lập, phản đối',
    feedback_promoters: 'Ủng hộ (9–10)',
    feedback_passives: 'Trung lập (7–8)',
    feedback_detractors: 'Phản đối (0–6)',
    feedback_sentiment_chart: 'Cảm xúc của các văn bản (tỷ lệ)',
    feedback_positive: 'Tích cực',
    feedback_neutral: 'Trung tính',
    feedback_negative: 'Tiêu cực',
    feedback_aspects_chart: 'Khía cạnh được nhắc nhiều nhất: số văn bản và số tiêu cực',
    feedback_aspect: 'Khía cạnh',
    feedback_texts: 'Văn bản',
    feedback_negative_texts: 'Văn bản tiêu cực',
    feedback_no_aspects: 'Không tìm thấy khía cạnh nào trong các văn bản của khoảng thời gian này.',
    feedback_table: 'Điểm số theo nhóm',
    feedback_group: 'Nhóm',
    feedback_all: 'Mọi phản hồi',
    feedback_none_key: '(không ghi)',
    feedback_value_n: '{value} (n = {n})',
  },
});

const DEFAULTS = { by: 'touchpoint', since: '', until: '' };
const BYS = ['touchpoint', 'channel', 'kind'];
const GREEN = '#2e8b57';
const GREY = '#8a939b';
const RED = '#c0392b';

function filterForm(values) {
  const by = select('feedback-by', BYS.map((b) => [b, t(`feedback_by_${b}`)]), values.by);
  const since = input('feedback-since', values.since, { type: 'date' });
  const until = input('feedback-until', values.until, { type: 'date' });
  const form = h(
    'form',
    { class: 'card dash-form', id: 'feedback-form' },
    h('h2', {}, t('feedback_filters')),
    h('div', { class: 'dash-fields' }, field(t('feedback_by'), by), field(t('feedback_from'), since), field(t('feedback_to'), until)),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => go('feedback', {}) }, t('feedback_reset')),
      h('button', { type: 'submit', class: 'primary' }, t('feedback_run')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go('feedback', { by: by.value, since: since.value, until: until.value });
  });
  return form;
}

function kpi(label, value, unit, id) {
  return h('div', { class: 'kpi', id }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), h('div', { class: 'unit' }, unit));
}

function kpis(total) {
  const signed = (x, digits) => (x === null || x === undefined ? '–' : `${x > 0 ? '+' : ''}${fmt.num(x, digits)}`);
  return h(
    'div',
    { class: 'grid' },
    kpi(t('feedback_responses'), fmt.int(total.responses), t('feedback_answers'), 'feedback-responses'),
    kpi(t('feedback_nps'), signed(total.nps.value, 1), t('feedback_nps_unit', { n: fmt.int(total.nps.n) }), 'feedback-nps'),
    kpi(t('feedback_csat'), fmt.num(total.csat.value), t('feedback_of5', { n: fmt.int(total.csat.n) }), 'feedback-csat'),
    kpi(t('feedback_ces'), fmt.num(total.ces.value), t('feedback_ces_unit', { n: fmt.int(total.ces.n) }), 'feedback-ces'),
    kpi(t('feedback_stars'), fmt.num(total.stars.value), t('feedback_of5', { n: fmt.int(total.stars.n) }), 'feedback-stars'),
    kpi(t('feedback_sentiment'), signed(total.sentiment.mean_score, 2), t('feedback_sentiment_unit', { n: fmt.int(total.sentiment.n) }), 'feedback-sentiment'),
  );
}

const keyOf = (g) => (g.key === null || g.key === undefined || g.key === '' ? t('feedback_none_key') : g.key);

function stacked(title, name, groups, series, { percent = false } = {}) {
  const labels = groups.map(keyOf);
  return chartCard({
    title,
    name: `${session.workspace}-${name}`,
    option: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => (percent ? fmt.pct(v) : fmt.int(v)) },
      legend: { top: 0 },
      grid: { left: 140, right: 24, top: 40, bottom: 28 },
      xAxis: { type: 'value', max: percent ? 1 : null, minInterval: percent ? 0 : 1, axisLabel: { formatter: (v) => (percent ? fmt.pct(v, 0) : fmt.int(v)) } },
      yAxis: { type: 'category', inverse: true, data: labels },
      series: series.map(([label, color, pick]) => ({ name: label, type: 'bar', stack: 'all', color, data: groups.map(pick) })),
    },
    data: { columns: [t('feedback_group'), ...series.map(([label]) => label)], rows: groups.map((g, i) => [labels[i], ...series.map(([, , pick]) => pick(g))]) },
    height: Math.max(220, 38 * groups.length + 80),
  });
}

function aspectsChart(aspects) {
  if (!aspects.length) return h('p', { class: 'muted' }, t('feedback_no_aspects'));
  const top = aspects.slice(0, 12);
  return chartCard({
    title: t('feedback_aspects_chart'),
    name: `${session.workspace}-feedback-aspects`,
    option: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 140, right: 24, top: 40, bottom: 28 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: top.map((a) => a.aspect) },
      series: [
        { name: t('feedback_texts'), type: 'bar', color: GREY, data: top.map((a) => a.texts) },
        { name: t('feedback_negative_texts'), type: 'bar', color: RED, data: top.map((a) => a.negative) },
      ],
    },
    data: { columns: [t('feedback_aspect'), t('feedback_texts'), t('feedback_negative_texts')], rows: top.map((a) => [a.aspect, a.texts, a.negative]) },
    height: Math.max(220, 34 * top.length + 80),
  });
}

function scoresTable(rows) {
  const withN = (part, value) => t('feedback_value_n', { value, n: fmt.int(part.n) });
  return table(
    [
      { label: t('feedback_group'), value: (g) => (g.all ? t('feedback_all') : data(keyOf(g))) },
      { label: t('feedback_responses'), value: (g) => fmt.int(g.responses), num: true },
      { label: t('feedback_nps'), value: (g) => withN(g.nps, fmt.num(g.nps.value, 1)), num: true },
      { label: t('feedback_csat'), value: (g) => withN(g.csat, fmt.num(g.csat.value)), num: true },
      { label: t('feedback_ces'), value: (g) => withN(g.ces, fmt.num(g.ces.value)), num: true },
      { label: t('feedback_stars'), value: (g) => withN(g.stars, fmt.num(g.stars.value)), num: true },
      { label: t('feedback_positive'), value: (g) => fmt.pct(g.sentiment.positive), num: true },
      { label: t('feedback_negative'), value: (g) => fmt.pct(g.sentiment.negative), num: true },
    ],
    rows,
    { caption: t('feedback_table') },
  );
}

function emptyState() {
  return h(
    'div',
    { class: 'state empty', role: 'status', id: 'feedback-empty' },
    h('strong', {}, t('feedback_empty')),
    h('p', {}, t('feedback_empty_detail')),
    h('pre', { translate: 'no' }, h('code', {}, 'journeyscope feedback import survey.csv -w WORKSPACE')),
  );
}

async function report(values) {
  const answer = await api(wsPath('/feedback/summary'), { query: { by: values.by, since: values.since, until: values.until } });
  if (!answer.total.responses) return values.since || values.until ? h('div', { class: 'state empty', role: 'status' }, t('feedback_empty_period')) : emptyState();
  const groups = answer.groups;
  const withNps = groups.filter((g) => g.nps.n);
  const withText = groups.filter((g) => g.sentiment.n);
  return h(
    'div',
    { id: 'feedback-report' },
    kpis(answer.total),
    h('div', { style: 'height:1rem' }),
    withNps.length
      ? stacked(t('feedback_nps_chart'), 'feedback-nps', withNps, [
        [t('feedback_promoters'), GREEN, (g) => g.nps.promoters],
        [t('feedback_passives'), GREY, (g) => g.nps.passives],
        [t('feedback_detractors'), RED, (g) => g.nps.detractors],
      ])
      : null,
    withText.length
      ? stacked(t('feedback_sentiment_chart'), 'feedback-sentiment', withText, [
        [t('feedback_positive'), GREEN, (g) => g.sentiment.positive],
        [t('feedback_neutral'), GREY, (g) => g.sentiment.neutral],
        [t('feedback_negative'), RED, (g) => g.sentiment.negative],
      ], { percent: true })
      : null,
    aspectsChart(answer.total.aspects || []),
    h('section', { class: 'card' }, scoresTable([{ ...answer.total, all: true }, ...groups])),
  );
}

export async function render(main, params, query) {
  const values = readQuery(query, DEFAULTS);
  if (!BYS.includes(values.by)) values.by = 'touchpoint';
  main.append(pageHead('feedback_title', 'feedback_lead'), filterForm(values), reportBox('feedback-box', () => report(values)));
}
