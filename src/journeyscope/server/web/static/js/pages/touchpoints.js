// Touchpoints: the places that lose customers (drop-off ranking), the contacts that do not
// solve the problem (repeat contacts), and the ratings after each — GET /touchpoints.
import { api, session, wsPath } from '../api.js';
import { chartCard } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { empty, field, h, table } from '../ui.js';
import {
  apiQuery, data, eventNames, eventOptions, filterForm, input, noData, notesBox, pageHead, readQuery, reportBox, savedCard, select,
} from './dashboards-common.js';
import { SESSION_DEFAULTS, countLabel, readSession, sessionFields, sessionNote } from './dashboards-sessions.js';

register({
  en: {
    touchpoints_title: 'Touchpoints',
    touchpoints_lead: 'Which places in the journey lose customers, bring them back, or upset them.',
    touchpoints_conversion: 'Counts as converted',
    touchpoints_within: 'Within',
    touchpoints_repeat_within: 'Repeat contact within',
    touchpoints_min: 'Only touchpoints with at least (customers)',
    touchpoints_drop_chart: 'Where customers drop off (worst first)',
    touchpoints_repeat_chart: 'Contacts that did not solve it (came back)',
    touchpoints_rating_chart: 'Rating given after the touch (1–5 stars)',
    touchpoints_dropped_share: 'Dropped off',
    touchpoints_converted_share: 'Converted',
    touchpoints_repeat_share: 'Came back',
    touchpoints_rating: 'Mean rating (stars)',
    touchpoints_touchpoint: 'Touchpoint',
    touchpoints_channel: 'Channel',
    touchpoints_rank: 'Drop-off rank',
    touchpoints_no_repeat: 'No repeat contacts',
    touchpoints_no_repeat_detail: 'No customer contacted support twice about the same thing in this period.',
    touchpoints_no_rating: 'No ratings',
    touchpoints_no_rating_detail: 'No customer left a rating soon after a touch in this period.',
    touchpoints_all: 'Every touchpoint',
  },
  vi: {
    touchpoints_title: 'Điểm chạm',
    touchpoints_lead: 'Điểm nào trong hành trình làm mất khách, khiến khách phải liên hệ lại, hoặc làm khách không hài lòng.',
    touchpoints_conversion: 'Tính là chuyển đổi khi có',
    touchpoints_within: 'Trong vòng',
    touchpoints_repeat_within: 'Liên hệ lại trong vòng',
    touchpoints_min: 'Chỉ điểm chạm có tối thiểu (khách hàng)',
    touchpoints_drop_chart: 'Khách hàng rời bỏ ở đâu (tệ nhất trước)',
    touchpoints_repeat_chart: 'Liên hệ chưa giải quyết được (khách liên hệ lại)',
    touchpoints_rating_chart: 'Đánh giá sau điểm chạm (1–5 sao)',
    touchpoints_dropped_share: 'Rời bỏ',
    touchpoints_converted_share: 'Chuyển đổi',
    touchpoints_repeat_share: 'Liên hệ lại',
    touchpoints_rating: 'Điểm đánh giá trung bình (sao)',
    touchpoints_touchpoint: 'Điểm chạm',
    touchpoints_channel: 'Kênh',
    touchpoints_rank: 'Hạng rời bỏ',
    touchpoints_no_repeat: 'Không có liên hệ lặp lại',
    touchpoints_no_repeat_detail: 'Trong khoảng này không khách hàng nào phải liên hệ hỗ trợ hai lần cho cùng một việc.',
    touchpoints_no_rating: 'Không có đánh giá',
    touchpoints_no_rating_detail: 'Trong khoảng này không khách hàng nào để lại đánh giá ngay sau điểm chạm.',
    touchpoints_all: 'Mọi điểm chạm',
  },
});

const DEFAULTS = { conversion: 'purchase', within: '7d', repeat_within: '7d', min_customers: '1', ...SESSION_DEFAULTS, since: '', until: '', where: '' };
const SHOWN = 15;

function fields(events, values) {
  const conversion = select('touchpoints-conversion', eventOptions(events), values.conversion);
  conversion.setAttribute('translate', 'no');
  return [
    field(t('touchpoints_conversion'), conversion),
    field(t('touchpoints_within'), input('touchpoints-within', values.within, { type: 'text', size: 8 }), t('dash_duration_help')),
    field(t('touchpoints_repeat_within'), input('touchpoints-repeat', values.repeat_within, { type: 'text', size: 8 })),
    field(t('touchpoints_min'), input('touchpoints-min', values.min_customers, { type: 'number', min: 1 })),
    ...sessionFields('touchpoints', values),
  ];
}

function readFields(form) {
  const value = (id) => form.querySelector(`#${id}`).value;
  return { conversion: value('touchpoints-conversion'), within: value('touchpoints-within'), repeat_within: value('touchpoints-repeat'), min_customers: value('touchpoints-min'), ...readSession('touchpoints', form) };
}

/** Horizontal bars, one per touchpoint (names are long: they go on the left). */
function bars({ title, name, rows, value, format, max, seriesName, report }) {
  const shown = rows.slice(0, SHOWN);
  return chartCard({
    title,
    name: `${session.workspace}-${name}`,
    height: Math.max(220, 30 * shown.length + 60),
    option: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: format },
      grid: { left: 210, right: 60, top: 10, bottom: 30 },
      xAxis: { type: 'value', max, axisLabel: { formatter: (v) => format(v) } },
      yAxis: { type: 'category', inverse: true, data: shown.map((r) => r.touchpoint), axisLabel: { width: 190, overflow: 'truncate' } },
      series: [{ name: seriesName, type: 'bar', data: shown.map(value), label: { show: true, position: 'right', formatter: (p) => format(p.value) } }],
    },
    data: {
      columns: [t('touchpoints_touchpoint'), t('touchpoints_channel'), countLabel(report), seriesName],
      rows: rows.map((r) => [r.touchpoint, r.channel, r.customers, value(r)]),
    },
  });
}

async function draw(values) {
  const report = await api(wsPath('/touchpoints'), { query: apiQuery(values) });
  // the CLI's order: ranked touchpoints first, the worst drop-off first
  const unranked = (r) => (r.drop_rank === null || r.drop_rank === undefined ? 1 : 0);
  const all = [...report.touchpoints].sort((a, b) => unranked(a) - unranked(b) || b.dropped_share - a.dropped_share || b.customers - a.customers);
  if (!all.length) return h('div', {}, notesBox(report), noData());
  const ranked = all.filter((r) => r.drop_rank !== null && r.drop_rank !== undefined).sort((a, b) => b.dropped_share - a.dropped_share);
  const repeat = all.filter((r) => r.repeat_contact_share !== null && r.repeat_contact_share !== undefined).sort((a, b) => b.repeat_contact_share - a.repeat_contact_share);
  const rated = all.filter((r) => r.rating_after !== null && r.rating_after !== undefined).sort((a, b) => a.rating_after - b.rating_after);
  const pct = (v) => fmt.pct(v, 0);
  const stars = (v) => fmt.num(v, 1);
  return h(
    'div',
    {},
    notesBox(report),
    sessionNote(report),
    ranked.length
      ? bars({ title: t('touchpoints_drop_chart'), name: 'touchpoints-dropoff', rows: ranked, value: (r) => r.dropped_share, format: pct, max: 1, seriesName: t('touchpoints_dropped_share'), report })
      : noData(),
    h(
      'div',
      { class: 'dash-two' },
      repeat.length
        ? bars({ title: t('touchpoints_repeat_chart'), name: 'touchpoints-repeat', rows: repeat, value: (r) => r.repeat_contact_share, format: pct, max: 1, seriesName: t('touchpoints_repeat_share'), report })
        : empty(t('touchpoints_no_repeat'), t('touchpoints_no_repeat_detail')),
      rated.length
        ? bars({ title: t('touchpoints_rating_chart'), name: 'touchpoints-ratings', rows: rated, value: (r) => r.rating_after, format: stars, max: 5, seriesName: t('touchpoints_rating'), report })
        : empty(t('touchpoints_no_rating'), t('touchpoints_no_rating_detail')),
    ),
    h(
      'section',
      { class: 'card', id: 'touchpoints-table' },
      h('h2', {}, t('touchpoints_all')),
      table(
        [
          { label: t('touchpoints_touchpoint'), value: (r) => data(r.touchpoint) },
          { label: t('touchpoints_channel'), value: (r) => data(r.channel) },
          { label: countLabel(report), num: true, value: (r) => fmt.int(r.customers) },
          { label: t('touchpoints_converted_share'), num: true, value: (r) => fmt.pct(r.converted_share) },
          { label: t('touchpoints_dropped_share'), num: true, value: (r) => (r.observed ? fmt.pct(r.dropped_share) : '–') },
          { label: t('touchpoints_rank'), num: true, value: (r) => (r.drop_rank ? fmt.int(r.drop_rank) : '–') },
          { label: t('touchpoints_repeat_share'), num: true, value: (r) => fmt.pct(r.repeat_contact_share) },
          { label: t('touchpoints_rating'), num: true, value: (r) => fmt.num(r.rating_after, 1) },
        ],
        all,
      ),
    ),
  );
}

export async function render(main, params, query) {
  main.append(pageHead('touchpoints_title', 'touchpoints_lead'));
  const events = await eventNames();
  const values = readQuery(query, DEFAULTS);
  main.append(
    filterForm('touchpoints', values, fields(events, values), readFields),
    reportBox('touchpoints-report', () => draw(values)),
    savedCard('touchpoints', values),
  );
}
