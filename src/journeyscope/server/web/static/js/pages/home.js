// Overview: what the workspace holds, by channel, and where to go next.
import { api, session, wsPath } from '../api.js';
import { chartCard } from '../charts.js';
import { fmt, register, t } from '../i18n.js';
import { card, empty, h, into } from '../ui.js';
import { insightsCard } from './insights-home.js';

register({
  en: {
    home_title: 'Overview',
    home_lead: 'Everything this workspace knows, joined into customers.',
    home_events: 'Events',
    home_customers: 'Customers',
    home_identifiers: 'Identifiers',
    home_imports: 'Imports',
    home_period: 'Period',
    home_period_value: '{from} – {to}',
    home_tz: 'times in {tz}',
    home_not_resolved: 'Identity has not been resolved yet: customers are not joined across channels.',
    home_by_channel: 'Events and customers by channel',
    home_series_events: 'Events',
    home_series_customers: 'Customers',
    home_channel: 'Channel',
    home_empty: 'No data yet',
    home_empty_detail: 'Import a file on the Data page, or send events to the collection API.',
    home_next: 'Where to go next',
    home_next_maps: 'Journey maps: draw and review the journey',
    home_next_funnel: 'Funnel: where customers drop off',
    home_next_customers: 'Customers: look up one person',
  },
  vi: {
    home_title: 'Tổng quan',
    home_lead: 'Mọi dữ liệu của workspace này, đã gộp thành từng khách hàng.',
    home_events: 'Sự kiện',
    home_customers: 'Khách hàng',
    home_identifiers: 'Định danh',
    home_imports: 'Lần nhập',
    home_period: 'Khoảng thời gian',
    home_period_value: '{from} – {to}',
    home_tz: 'giờ theo {tz}',
    home_not_resolved: 'Chưa gộp danh tính: khách hàng chưa được nối giữa các kênh.',
    home_by_channel: 'Sự kiện và khách hàng theo kênh',
    home_series_events: 'Sự kiện',
    home_series_customers: 'Khách hàng',
    home_channel: 'Kênh',
    home_empty: 'Chưa có dữ liệu',
    home_empty_detail: 'Hãy nhập một tệp ở trang Dữ liệu, hoặc gửi sự kiện tới API thu thập.',
    home_next: 'Bước tiếp theo',
    home_next_maps: 'Bản đồ hành trình: vẽ và xem lại hành trình',
    home_next_funnel: 'Phễu: khách hàng rời bỏ ở đâu',
    home_next_customers: 'Khách hàng: tra cứu từng người',
  },
});

function kpi(label, value, unit, wide = false) {
  return h('div', { class: wide ? 'kpi wide' : 'kpi' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), unit ? h('div', { class: 'unit' }, unit) : null);
}

export async function render(main) {
  main.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('home_title')), h('p', {}, t('home_lead')))));
  const box = h('div', { id: 'overview' });
  main.append(box);
  await into(box, async () => {
    const stats = await api(wsPath('/stats'));
    if (!stats.events) return empty(t('home_empty'), t('home_empty_detail'));
    const channels = stats.channels || [];
    return h(
      'div',
      {},
      stats.resolved ? null : h('div', { class: 'state', role: 'status' }, t('home_not_resolved')),
      h(
        'div',
        { class: 'grid' },
        kpi(t('home_events'), fmt.int(stats.events)),
        kpi(t('home_customers'), fmt.int(stats.customers)),
        kpi(t('home_identifiers'), fmt.int(stats.identifiers)),
        kpi(t('home_imports'), fmt.int(stats.imports)),
        kpi(t('home_period'), t('home_period_value', { from: fmt.date(stats.first_event), to: fmt.date(stats.last_event) }), t('home_tz', { tz: stats.timezone }), true),
      ),
      h('div', { style: 'height:1rem' }),
      chartCard({
        title: t('home_by_channel'),
        name: `${session.workspace}-channels`,
        option: {
          tooltip: { trigger: 'axis' },
          legend: { top: 0 },
          grid: { left: 110, right: 24, top: 36, bottom: 24 },
          xAxis: { type: 'value' },
          yAxis: { type: 'category', inverse: true, data: channels.map((c) => c.channel) },
          series: [
            { name: t('home_series_events'), type: 'bar', data: channels.map((c) => c.events) },
            { name: t('home_series_customers'), type: 'bar', data: channels.map((c) => c.customers) },
          ],
        },
        data: {
          columns: [t('home_channel'), t('home_series_events'), t('home_series_customers')],
          rows: channels.map((c) => [c.channel, c.events, c.customers]),
        },
        height: Math.max(260, 34 * channels.length + 70),
      }),
      card(
        t('home_next'),
        h(
          'ul',
          {},
          h('li', {}, h('a', { href: '#/maps' }, t('home_next_maps'))),
          h('li', {}, h('a', { href: '#/funnel' }, t('home_next_funnel'))),
          h('li', {}, h('a', { href: '#/customers' }, t('home_next_customers'))),
        ),
      ),
    );
  });
  main.append(insightsCard());
}
