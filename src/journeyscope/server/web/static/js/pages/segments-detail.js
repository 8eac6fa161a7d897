// One segment as `segment show --json` (GET /segments/{name}) says it: its size and share
// of all customers, its channel mix, its typical (median) order and what it looks at and buys.
import { api, session, wsPath } from '../api.js';
import { chartCard } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { card, h, table } from '../ui.js';
import { data } from './dashboards-common.js';

register({
  en: {
    segdetail_size: '{n} customers today — {pct} of all {total} customers',
    segdetail_listed: 'Listed: {listed} entries, of which {unmatched} match no customer today.',
    segdetail_orders: 'Orders',
    segdetail_revenue: 'Net revenue',
    segdetail_typical: 'Typical order (median)',
    segdetail_customers: 'Customers',
    segdetail_channels: 'Channel mix: share of the segment’s customers who used each channel',
    segdetail_channel: 'Channel',
    segdetail_share_customers: 'Share of customers',
    segdetail_share_actions: 'Share of their actions',
    segdetail_events: 'Top events',
    segdetail_event: 'Event',
    segdetail_events_n: 'Events',
    segdetail_products: 'Top products (from the property {property})',
    segdetail_product: 'Product',
    segdetail_purchases: 'Purchases',
    segdetail_none: 'No orders',
    segdetail_use: 'Use in a report',
    segdetail_rule: 'Rule',
  },
  vi: {
    segdetail_size: 'Hiện có {n} khách hàng — {pct} trên tổng số {total} khách hàng',
    segdetail_listed: 'Danh sách: {listed} mục, trong đó {unmatched} mục hiện không khớp khách hàng nào.',
    segdetail_orders: 'Số đơn hàng',
    segdetail_revenue: 'Doanh thu thuần',
    segdetail_typical: 'Giá trị đơn điển hình (trung vị)',
    segdetail_customers: 'Khách hàng',
    segdetail_channels: 'Cơ cấu kênh: tỷ lệ khách trong phân khúc đã dùng từng kênh',
    segdetail_channel: 'Kênh',
    segdetail_share_customers: 'Tỷ lệ khách hàng',
    segdetail_share_actions: 'Tỷ lệ hoạt động của họ',
    segdetail_events: 'Sự kiện phổ biến nhất',
    segdetail_event: 'Sự kiện',
    segdetail_events_n: 'Số sự kiện',
    segdetail_products: 'Sản phẩm phổ biến nhất (theo thuộc tính {property})',
    segdetail_product: 'Sản phẩm',
    segdetail_purchases: 'Lượt mua',
    segdetail_none: 'Không có đơn hàng',
    segdetail_use: 'Dùng trong báo cáo',
    segdetail_rule: 'Quy tắc',
  },
});

/** Money in the workspace's currency (VND in the demo). */
function money(value, currency) {
  if (value === null || value === undefined) return t('segdetail_none');
  return currency === 'VND' ? fmt.vnd(value) : `${fmt.num(value)} ${currency}`;
}

/** The funnel page filtered to the segment's customers (`--where "segment = NAME"`). */
export function reportLink(name, id) {
  return h('a', { href: `#/funnel?where=${encodeURIComponent(`segment = ${name}`)}`, class: 'button small', id }, t('segdetail_use'));
}

function figures(s) {
  const tile = (label, value, id) => h('div', { class: 'segdetail-tile' }, h('span', { class: 'muted small' }, label), h('strong', { id }, value));
  return h(
    'div',
    { class: 'segdetail-tiles' },
    tile(t('segdetail_customers'), fmt.int(s.customers), 'segment-size'),
    tile(t('segdetail_orders'), fmt.int(s.orders)),
    tile(t('segdetail_revenue'), money(s.revenue, s.currency)),
    tile(t('segdetail_typical'), money(s.typical_order_value, s.currency), 'segment-typical'),
  );
}

function channelChart(s) {
  const rows = s.channels || [];
  if (!rows.length) return null;
  return chartCard({
    title: t('segdetail_channels'),
    name: `${session.workspace}-segment-${s.name}-channels`,
    height: Math.max(200, 34 * rows.length + 60),
    option: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => fmt.pct(v) },
      legend: { top: 0 },
      grid: { left: 120, right: 40, top: 36, bottom: 30 },
      xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v) => fmt.pct(v, 0) } },
      yAxis: { type: 'category', inverse: true, data: rows.map((c) => c.channel) },
      series: [
        { name: t('segdetail_share_customers'), type: 'bar', data: rows.map((c) => c.share_of_customers) },
        { name: t('segdetail_share_actions'), type: 'bar', data: rows.map((c) => c.share_of_actions) },
      ],
    },
    data: {
      columns: [t('segdetail_channel'), t('segdetail_customers'), t('segdetail_share_customers'), t('segdetail_share_actions')],
      rows: rows.map((c) => [c.channel, c.customers, c.share_of_customers, c.share_of_actions]),
    },
  });
}

function topTables(s) {
  const events = s.top_events || [];
  const products = s.top_products;
  return h(
    'div',
    { class: 'dash-two' },
    events.length
      ? card(t('segdetail_events'), table(
        [
          { label: t('segdetail_event'), value: (e) => data(e.event) },
          { label: t('segdetail_customers'), num: true, value: (e) => fmt.int(e.customers) },
          { label: t('segdetail_events_n'), num: true, value: (e) => fmt.int(e.events) },
        ],
        events,
      ))
      : null,
    products && products.values && products.values.length
      ? h('section', { class: 'card' }, h('h2', {}, t('segdetail_products', { property: products.property })), table(
        [
          { label: t('segdetail_product'), value: (p) => data(p.value) },
          { label: t('segdetail_customers'), num: true, value: (p) => fmt.int(p.customers) },
          { label: t('segdetail_purchases'), num: true, value: (p) => fmt.int(p.purchases) },
        ],
        products.values,
      ))
      : null,
  );
}

/** The detail card of one segment. */
export async function segmentDetail(name) {
  const s = await api(wsPath(`/segments/${encodeURIComponent(name)}`));
  return h(
    'section',
    { class: 'card segdetail', id: 'segment-detail' },
    h('h2', { translate: 'no' }, s.name),
    s.description ? h('p', { translate: 'no' }, s.description) : null,
    s.rule ? h('p', {}, `${t('segdetail_rule')}: `, h('code', { translate: 'no' }, s.rule)) : null,
    h('p', { class: 'dash-summary', id: 'segment-share', dataset: { value: String(s.customers) } }, t('segdetail_size', { n: fmt.int(s.customers), pct: fmt.pct(s.share), total: fmt.int(s.total_customers) })),
    s.listed !== null && s.listed !== undefined ? h('p', { class: 'muted' }, t('segdetail_listed', { listed: fmt.int(s.listed), unmatched: fmt.int(s.unmatched) })) : null,
    figures(s),
    channelChart(s),
    topTables(s),
    h('div', { class: 'actions' }, reportLink(s.name, 'segment-use')),
  );
}
