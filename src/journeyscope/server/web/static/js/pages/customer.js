// One customer (#/customers/<id or TYPE:VALUE>): identifiers and why they were merged,
// channels, orders and revenue in VND, and the journey timeline in time order — the
// profile of `journeyscope customers show`, from GET /customers/{ref}.
import { api, session, wsPath } from '../api.js';
import { fmt, register, t, TZ } from '../i18n.js';
import { card, errorBox, h, into, table } from '../ui.js';
import { blockButton, explainButton, forgetCard } from './customers-actions.js';
import { idTypeLabel } from './customers-words.js';

register({
  en: {
    customer_title: 'Customer #{id}',
    customer_back: '← Back to the search',
    customer_missing: 'No such customer',
    customer_search_instead: 'Search by phone or e-mail instead',
    customer_lead: 'Seen from {first} to {last}',
    customer_events: 'Events',
    customer_orders: 'Orders',
    customer_refunds: 'Refunds and cancellations',
    customer_revenue: 'Net revenue',
    customer_revenue_unit: 'VND, refunds taken off',
    customer_events_unit: 'touchpoints on every channel',
    customer_orders_unit: 'purchases',
    customer_refunds_unit: 'orders',
    customer_identifiers: 'Identifiers joined into this customer',
    customer_identifiers_lead: 'The same person seen on several channels. “Why?” shows the events that joined each one.',
    customer_type: 'Type',
    customer_value: 'Value',
    customer_actions: 'Actions',
    customer_channels: 'Channels',
    customer_channel_events: '{n} events',
    customer_channel_event: '1 event',
    customer_timeline: 'Journey timeline',
    customer_timeline_count: '{n} events in time order · times in {tz}',
    customer_timeline_truncated: 'Only the first {n} events are shown.',
    customer_timeline_empty: 'No events for this customer.',
    customer_order_value: 'Order value',
  },
  vi: {
    customer_title: 'Khách hàng #{id}',
    customer_back: '← Quay lại tìm kiếm',
    customer_missing: 'Không có khách hàng này',
    customer_search_instead: 'Tìm theo số điện thoại hoặc e-mail',
    customer_lead: 'Xuất hiện từ {first} đến {last}',
    customer_events: 'Sự kiện',
    customer_orders: 'Đơn hàng',
    customer_refunds: 'Hoàn tiền và huỷ đơn',
    customer_revenue: 'Doanh thu thuần',
    customer_revenue_unit: 'VND, đã trừ hoàn tiền',
    customer_events_unit: 'điểm chạm trên mọi kênh',
    customer_orders_unit: 'lần mua',
    customer_refunds_unit: 'đơn',
    customer_identifiers: 'Các định danh đã gộp vào khách hàng này',
    customer_identifiers_lead: 'Cùng một người xuất hiện trên nhiều kênh. “Vì sao?” cho thấy các sự kiện đã nối từng định danh.',
    customer_type: 'Loại',
    customer_value: 'Giá trị',
    customer_actions: 'Thao tác',
    customer_channels: 'Kênh',
    customer_channel_events: '{n} sự kiện',
    customer_channel_event: '1 sự kiện',
    customer_timeline: 'Dòng thời gian hành trình',
    customer_timeline_count: '{n} sự kiện theo thứ tự thời gian · giờ theo {tz}',
    customer_timeline_truncated: 'Chỉ hiện {n} sự kiện đầu tiên.',
    customer_timeline_empty: 'Khách hàng này chưa có sự kiện nào.',
    customer_order_value: 'Giá trị đơn',
  },
});

function kpi(label, value, unit) {
  return h('div', { class: 'kpi' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), unit ? h('div', { class: 'unit' }, unit) : null);
}

function channelBadge(channel) {
  return h('span', { class: 'badge channel', translate: 'no' }, channel);
}

function identifiers(profile, explainBox) {
  const admin = session.user.role === 'admin';
  return card(
    t('customer_identifiers'),
    h('p', { class: 'muted' }, t('customer_identifiers_lead')),
    table(
      [
        { label: t('customer_type'), value: (i) => idTypeLabel(i.type) },
        { label: t('customer_value'), value: (i) => h('code', { translate: 'no' }, i.value) },
        {
          label: t('customer_actions'),
          value: (i) => h('div', { class: 'row-actions' }, explainButton(`${i.type}:${i.value}`, explainBox), admin ? blockButton(`${i.type}:${i.value}`, profile) : null),
        },
      ],
      profile.identifiers,
    ),
    explainBox,
  );
}

function channels(profile) {
  return card(
    t('customer_channels'),
    h('ul', { class: 'channel-list' }, profile.channels.map((c) => h('li', {}, channelBadge(c.channel), ' ', c.events === 1 ? t('customer_channel_event') : t('customer_channel_events', { n: fmt.int(c.events) })))),
  );
}

function timelineItem(e) {
  return h(
    'li',
    { class: e.event === 'purchase' ? 'purchase' : null },
    h('time', { datetime: e.ts }, fmt.dateTime(e.ts)),
    channelBadge(e.channel),
    h('strong', { translate: 'no' }, e.event),
    e.touchpoint ? h('span', { class: 'muted', translate: 'no' }, e.touchpoint) : null,
    e.revenue !== null && e.revenue !== undefined ? h('span', { class: 'money', title: t('customer_order_value') }, fmt.vnd(e.revenue)) : null,
  );
}

function timeline(profile) {
  const events = profile.timeline || [];
  return card(
    t('customer_timeline'),
    h('p', { class: 'muted', id: 'timeline-count' }, t('customer_timeline_count', { n: fmt.int(events.length), tz: TZ })),
    profile.timeline_truncated ? h('p', { role: 'note' }, t('customer_timeline_truncated', { n: fmt.int(events.length) })) : null,
    events.length ? h('ol', { class: 'timeline', id: 'timeline' }, events.map(timelineItem)) : h('p', {}, t('customer_timeline_empty')),
  );
}

function page(profile) {
  const explainBox = h('div', { id: 'explain', 'aria-live': 'polite' });
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, t('customer_title', { id: profile.customer_id })), h('p', {}, t('customer_lead', { first: fmt.dateTime(profile.first_seen), last: fmt.dateTime(profile.last_seen) }))),
    ),
    h(
      'div',
      { class: 'grid', id: 'customer-kpis' },
      kpi(t('customer_events'), fmt.int(profile.events), t('customer_events_unit')),
      kpi(t('customer_orders'), fmt.int(profile.orders), t('customer_orders_unit')),
      kpi(t('customer_refunds'), fmt.int(profile.refunds), t('customer_refunds_unit')),
      h('div', { class: 'kpi', id: 'customer-revenue' }, h('div', { class: 'label' }, t('customer_revenue')), h('div', { class: 'value' }, fmt.vnd(profile.revenue)), h('div', { class: 'unit' }, t('customer_revenue_unit'))),
    ),
    h('div', { id: 'customer-notice', 'aria-live': 'polite' }),
    identifiers(profile, explainBox),
    channels(profile),
    timeline(profile),
    session.user.role === 'admin' ? forgetCard(profile) : null,
  );
}

export async function render(main, params) {
  const ref = params[0];
  main.append(h('p', {}, h('a', { href: '#/customers' }, t('customer_back'))));
  const box = h('div', { id: 'customer' });
  main.append(box);
  await into(box, async () => {
    try {
      return page(await api(wsPath(`/customers/${encodeURIComponent(ref)}`)));
    } catch (error) {
      if (error.status !== 404) throw error;
      // forgotten, renumbered by a resolve, or never there: say so under a heading
      return h('div', {}, h('h1', {}, t('customer_missing')), errorBox(error), h('p', {}, h('a', { href: '#/customers' }, t('customer_search_instead'))));
    }
  });
}
