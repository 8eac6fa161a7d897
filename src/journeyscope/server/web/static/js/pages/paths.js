// Paths: what customers do after (or before) an event, as a Sankey, and the most common
// moves from one event to the next — GET /paths (the CLI's `journeyscope paths --json`).
import { api, session, wsPath } from '../api.js';
import { PALETTE, chartCard, esc } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { empty, field, h, table } from '../ui.js';
import {
  apiQuery, data, eventNames, eventOptions, filterForm, input, noData, notesBox, pageHead, readQuery, reportBox, savedCard, select,
} from './dashboards-common.js';
import { SESSION_DEFAULTS, countLabel, countN, readSession, sessionFields, sessionNote } from './dashboards-sessions.js';

register({
  en: {
    paths_title: 'Paths',
    paths_lead: 'What customers do after an event, or before it, step by step.',
    paths_from: 'Starting from',
    paths_to: 'Or ending at',
    paths_level: 'Show steps as',
    paths_level_event: 'events',
    paths_level_channel: 'channels',
    paths_level_touchpoint: 'touchpoints',
    paths_level_channel_event: 'channel and event',
    paths_depth: 'Steps to follow',
    paths_top: 'Branches per step',
    paths_sankey_after: 'After {event}: where customers go next',
    paths_sankey_before: 'Before {event}: where customers come from',
    paths_end: '(left)',
    paths_start: '(came in)',
    paths_edges: 'Most common moves',
    paths_edge_from: 'From',
    paths_edge_to: 'To',
    paths_moves: 'Moves',
    paths_pick: 'Pick an event to start from or end at',
    paths_pick_detail: 'The flow chart follows customers from one event. Choose one above and press Show.',
    paths_sessions: 'Visits: {n}, of which {bounce} left after one event.',
    paths_step_n: 'step {n}',
    paths_variants: 'Most common whole journeys',
    paths_variant: 'Whole journey',
  },
  vi: {
    paths_title: 'Đường đi',
    paths_lead: 'Khách hàng làm gì sau một sự kiện, hoặc trước nó, từng bước một.',
    paths_from: 'Bắt đầu từ',
    paths_to: 'Hoặc kết thúc tại',
    paths_level: 'Hiển thị bước theo',
    paths_level_event: 'sự kiện',
    paths_level_channel: 'kênh',
    paths_level_touchpoint: 'điểm chạm',
    paths_level_channel_event: 'kênh và sự kiện',
    paths_depth: 'Số bước theo dõi',
    paths_top: 'Số nhánh mỗi bước',
    paths_sankey_after: 'Sau {event}: khách hàng đi tiếp đến đâu',
    paths_sankey_before: 'Trước {event}: khách hàng đến từ đâu',
    paths_end: '(rời đi)',
    paths_start: '(bắt đầu)',
    paths_edges: 'Các bước chuyển phổ biến nhất',
    paths_edge_from: 'Từ',
    paths_edge_to: 'Đến',
    paths_moves: 'Lượt chuyển',
    paths_pick: 'Hãy chọn một sự kiện bắt đầu hoặc kết thúc',
    paths_pick_detail: 'Biểu đồ luồng theo dõi khách hàng từ một sự kiện. Chọn ở trên rồi bấm Xem.',
    paths_sessions: 'Lượt truy cập: {n}, trong đó {bounce} rời đi sau một sự kiện.',
    paths_step_n: 'bước {n}',
    paths_variants: 'Các hành trình trọn vẹn phổ biến nhất',
    paths_variant: 'Hành trình',
  },
});

const LEVELS = ['event', 'channel', 'touchpoint', 'channel_event'];
const DEFAULTS = { from: '', to: '', level: 'event', depth: '4', top: '8', ...SESSION_DEFAULTS, merge_repeats: '', since: '', until: '', where: '' };
const EDGES_SHOWN = 30;

function fields(events, values) {
  const from = select('paths-from', eventOptions(events, { blank: t('dash_none') }), values.from);
  const to = select('paths-to', eventOptions(events, { blank: t('dash_none') }), values.to);
  for (const s of [from, to]) s.setAttribute('translate', 'no');
  return [
    field(t('paths_from'), from),
    field(t('paths_to'), to),
    field(t('paths_level'), select('paths-level', LEVELS.map((l) => [l, t(`paths_level_${l}`)]), values.level)),
    field(t('paths_depth'), input('paths-depth', values.depth, { type: 'number', min: 1, max: 8 })),
    field(t('paths_top'), input('paths-top', values.top, { type: 'number', min: 1, max: 50 })),
    ...sessionFields('paths', values, { mergeRepeats: true }),
  ];
}

function readFields(form) {
  const value = (id) => form.querySelector(`#${id}`).value;
  return { from: value('paths-from'), to: value('paths-to'), level: value('paths-level'), depth: value('paths-depth'), top: value('paths-top'), ...readSession('paths', form) };
}

/** "2:add_to_cart" → "add_to_cart"; the ends in the reader's words. */
function nodeLabel(node) {
  const name = node.slice(node.indexOf(':') + 1);
  if (name === '(end)') return t('paths_end');
  if (name === '(start)') return t('paths_start');
  return name;
}

function sankey(report) {
  const s = report.sankey;
  // one colour per event, whichever step it is at; small branches keep their label for the tooltip
  const names = [...new Set(s.nodes.map(nodeLabel))];
  const colour = (node) => (nodeLabel(node) === t('paths_end') || nodeLabel(node) === t('paths_start') ? '#b0b8c1' : PALETTE[names.indexOf(nodeLabel(node)) % PALETTE.length]);
  const total = s.links.filter((l) => l.source.startsWith('0:') || l.target.startsWith('0:')).reduce((n, l) => n + l.value, 0);
  const title = t(s.direction === 'before' ? 'paths_sankey_before' : 'paths_sankey_after', { event: s.anchor });
  return chartCard({
    title,
    name: `${session.workspace}-paths`,
    height: 560,
    option: {
      tooltip: {
        trigger: 'item',
        formatter: (p) => (p.dataType === 'edge'
          ? `${esc(nodeLabel(p.data.source))} → ${esc(nodeLabel(p.data.target))}: ${esc(countN(report, p.data.value))}`
          : `${esc(nodeLabel(p.name))} (${esc(t('paths_step_n', { n: p.name.split(':')[0] }))})`),
      },
      series: [{
        type: 'sankey',
        left: 10,
        right: 150,
        top: 10,
        bottom: 10,
        nodeGap: 10,
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
        label: { formatter: (p) => (p.value >= total * 0.03 ? nodeLabel(p.name) : ''), fontSize: 12 },
        data: s.nodes.map((name) => ({ name, itemStyle: { color: colour(name) } })),
        links: s.links,
      }],
    },
    data: {
      columns: [t('paths_edge_from'), t('paths_edge_to'), countLabel(report)],
      rows: s.links.map((l) => [l.source, l.target, l.value]),
    },
  });
}

/** The most common whole journeys (merge_repeats: a repeated step in a row counts once). */
function variantsTable(report) {
  const top = (report.variants || {}).top || [];
  if (!top.length) return null;
  return h(
    'section',
    { class: 'card', id: 'paths-variants' },
    h('h2', {}, t('paths_variants')),
    table(
      [
        { label: t('paths_variant'), value: (v) => data(v.path.join(' → ')) },
        { label: countLabel(report), num: true, value: (v) => fmt.int(v.customers) },
        { label: t('dash_share'), num: true, value: (v) => fmt.pct(v.share) },
      ],
      top,
    ),
  );
}

function edgesTable(report) {
  const edges = report.edges.slice(0, EDGES_SHOWN);
  return h(
    'section',
    { class: 'card', id: 'paths-edges' },
    h('h2', {}, t('paths_edges')),
    table(
      [
        { label: t('paths_edge_from'), value: (e) => data(e.from) },
        { label: t('paths_edge_to'), value: (e) => data(e.to) },
        { label: t('paths_moves'), num: true, value: (e) => fmt.int(e.count) },
        { label: countLabel(report), num: true, value: (e) => fmt.int(e.customers) },
        { label: t('dash_median_time'), num: true, value: (e) => fmt.duration(e.median_seconds) },
      ],
      edges,
    ),
  );
}

async function draw(values) {
  const report = await api(wsPath('/paths'), { query: apiQuery(values) });
  if (!report.edges.length) return h('div', {}, notesBox(report), noData());
  const sessions = report.sessions || {};
  return h(
    'div',
    {},
    notesBox(report),
    sessionNote(report),
    sessions.sessions ? h('p', { class: 'dash-summary' }, t('paths_sessions', { n: fmt.int(sessions.sessions), bounce: fmt.pct(sessions.bounce_rate) })) : null,
    report.sankey && report.sankey.links.length ? sankey(report) : empty(t('paths_pick'), t('paths_pick_detail')),
    edgesTable(report),
    variantsTable(report),
  );
}

export async function render(main, params, query) {
  main.append(pageHead('paths_title', 'paths_lead'));
  const events = await eventNames();
  const values = readQuery(query, DEFAULTS);
  if (!values.from && !values.to && !query.toString()) {
    values.from = events.some((e) => e.event === 'product_view') ? 'product_view' : (events[0] || {}).event || '';
  }
  main.append(
    filterForm('paths', values, fields(events, values), readFields),
    reportBox('paths-report', () => draw(values)),
    savedCard('paths', values),
  );
}
