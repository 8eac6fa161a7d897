// Customers: find one person by phone (any spelling), e-mail, customer id or TYPE:VALUE.
// The server's identity normaliser decides what the text means (GET /customers?q=), so
// "0912 345 678" and "+84912345678" find the same customer `customers show` finds.
import { api, wsPath } from '../api.js';
import { register, t } from '../i18n.js';
import { card, clear, empty, errorBox, field, h, loading, table } from '../ui.js';
import { idTypeLabel } from './customers-words.js';

register({
  en: {
    customers_title: 'Customers',
    customers_lead: 'Look up one person: every channel, order and contact, joined into one journey.',
    customers_search: 'Phone, e-mail or customer id',
    customers_search_help: 'Any spelling works: 0912 345 678, +84912345678, lan@example.com, 42.',
    customers_find: 'Find',
    customers_none: 'No customer matches “{q}”',
    customers_none_detail: 'Check the spelling, or try another identifier (e-mail, phone, loyalty card). Data imported after the last identity resolve is not joined yet.',
    customers_matches: 'Customers found',
    customers_customer: 'Customer',
    customers_matched_by: 'Matched by',
    customers_status: 'Status',
    customers_open: 'Open',
    customers_by_id: 'customer id',
    customers_status_linked: 'linked',
    customers_status_excluded: 'not linked (excluded)',
    customers_status_blocked: 'blocked',
    customers_status_customer_id: 'customer id',
    customers_no_customer: 'no customer',
    customers_start: 'Type a phone number, an e-mail or a customer id above.',
  },
  vi: {
    customers_title: 'Khách hàng',
    customers_lead: 'Tra cứu từng người: mọi kênh, đơn hàng và lần liên hệ, nối thành một hành trình.',
    customers_search: 'Số điện thoại, e-mail hoặc mã khách hàng',
    customers_search_help: 'Viết kiểu nào cũng được: 0912 345 678, +84912345678, lan@example.com, 42.',
    customers_find: 'Tìm',
    customers_none: 'Không có khách hàng nào khớp với “{q}”',
    customers_none_detail: 'Hãy kiểm tra cách viết, hoặc thử định danh khác (e-mail, số điện thoại, thẻ thành viên). Dữ liệu nhập sau lần gộp danh tính gần nhất chưa được nối.',
    customers_matches: 'Khách hàng tìm thấy',
    customers_customer: 'Khách hàng',
    customers_matched_by: 'Khớp theo',
    customers_status: 'Trạng thái',
    customers_open: 'Mở',
    customers_by_id: 'mã khách hàng',
    customers_status_linked: 'đã nối',
    customers_status_excluded: 'không được nối (bị loại)',
    customers_status_blocked: 'bị chặn',
    customers_status_customer_id: 'mã khách hàng',
    customers_no_customer: 'không thuộc khách hàng nào',
    customers_start: 'Hãy nhập số điện thoại, e-mail hoặc mã khách hàng ở trên.',
  },
});

function statusLabel(status) {
  const key = `customers_status_${status}`;
  return ['linked', 'blocked', 'customer_id'].includes(status) ? t(key) : t('customers_status_excluded');
}

function matchedBy(match) {
  if (!match.identifier) return t('customers_by_id');
  const [type, ...rest] = match.identifier.split(':');
  return h('span', {}, `${idTypeLabel(type)}: `, h('span', { translate: 'no' }, rest.join(':')));
}

function results(q, found) {
  const matches = found.matches || [];
  if (!matches.length) return empty(t('customers_none', { q }), t('customers_none_detail'));
  return card(
    t('customers_matches'),
    table(
      [
        { label: t('customers_customer'), value: (m) => (m.customer_id === null ? t('customers_no_customer') : h('span', { translate: 'no' }, `#${m.customer_id}`)) },
        { label: t('customers_matched_by'), value: matchedBy },
        { label: t('customers_status'), value: (m) => h('span', { class: m.customer_id === null ? 'badge bad' : 'badge good' }, statusLabel(m.status)) },
        { label: t('customers_open'), value: (m) => (m.customer_id === null ? '–' : h('a', { href: `#/customers/${m.customer_id}`, class: 'button small' }, t('customers_open'))) },
      ],
      matches,
    ),
  );
}

async function search(box, q, autoOpen) {
  clear(box, loading());
  try {
    const found = await api(wsPath('/customers'), { query: { q } });
    const hits = (found.matches || []).filter((m) => m.customer_id !== null);
    // one customer found by a fresh search: open it (not when coming Back to the results)
    if (autoOpen && hits.length === 1 && found.matches.length === 1) {
      window.location.hash = `#/customers/${hits[0].customer_id}`;
      return;
    }
    clear(box, results(q, found));
  } catch (error) {
    clear(box, errorBox(error, () => search(box, q, autoOpen)));
  }
}

export async function render(main, params, query) {
  const initial = query.get('q') || '';
  const input = h('input', { type: 'search', id: 'customer-search', name: 'q', value: initial, autocomplete: 'off', required: true, size: 34 });
  const box = h('div', { id: 'customer-results' });
  const form = h(
    'form',
    {
      class: 'toolbar',
      role: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        const q = input.value.trim();
        if (!q) return;
        // keep the search in the address so Back returns to these results
        history.replaceState(null, '', `#/customers?q=${encodeURIComponent(q)}`);
        search(box, q, true);
      },
    },
    field(t('customers_search'), input, t('customers_search_help')),
    h('button', { type: 'submit', class: 'primary' }, t('customers_find')),
  );
  main.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('customers_title')), h('p', {}, t('customers_lead')))),
    card(null, form),
    box,
  );
  if (initial) await search(box, initial, false);
  else clear(box, h('p', { class: 'muted' }, t('customers_start')));
  input.focus();
}
