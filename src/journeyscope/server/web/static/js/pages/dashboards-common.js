// What every dashboard shares: the query kept in the address (#/funnel?steps=a,b&window=7d,
// so a view can be bookmarked and shared), the filter form (period, --where), the saved
// dashboards of the page, and small helpers for data values and selects.
import { api, session, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { card, clear, confirmDialog, empty, errorBox, field, h, into, table } from '../ui.js';

register({
  en: {
    dash_from: 'From (date)',
    dash_to: 'To (date, included)',
    dash_where: 'Only events where',
    dash_where_help: 'e.g. {example} — leave empty for all events',
    dash_run: 'Show',
    dash_reset: 'Reset',
    dash_filters: 'What to show',
    dash_saved: 'Saved dashboards',
    dash_saved_none: 'No saved dashboard for this page yet.',
    dash_save_name: 'Name of this view',
    dash_save: 'Save this view',
    dash_save_help: 'Saves the query above so the team can open it again.',
    dash_saved_ok: 'Saved: {name}',
    dash_open: 'Open',
    dash_delete: 'Delete',
    dash_delete_title: 'Delete this saved dashboard?',
    dash_delete_text: '“{name}” will be removed for everyone in this workspace.',
    dash_saved_by: 'Saved by',
    dash_saved_at: 'Saved at',
    dash_actions: 'Actions',
    dash_name_missing: 'Give the view a name first.',
    dash_no_data: 'No customer matches this query',
    dash_no_data_detail: 'Widen the period, loosen the filter, or check the events chosen.',
    dash_none: '(none)',
    dash_any_event: '(any event)',
    dash_events_n: '{n} events',
    dash_customers: 'Customers',
    dash_customers_n: '{n} customers',
    dash_customer: 'Customer',
    dash_median_time: 'Median time',
    dash_share: 'Share',
    dash_duration_help: 'a number and a unit: 30m, 12h, 7d',
    dash_by_channel: 'channel',
    dash_by_source: 'source',
    dash_by_touchpoint: 'touchpoint',
  },
  vi: {
    dash_from: 'Từ ngày',
    dash_to: 'Đến ngày (tính cả ngày này)',
    dash_where: 'Chỉ các sự kiện có',
    dash_where_help: 'ví dụ {example} — để trống để lấy mọi sự kiện',
    dash_run: 'Xem',
    dash_reset: 'Đặt lại',
    dash_filters: 'Nội dung hiển thị',
    dash_saved: 'Bảng số liệu đã lưu',
    dash_saved_none: 'Trang này chưa có bảng số liệu nào được lưu.',
    dash_save_name: 'Tên của góc nhìn này',
    dash_save: 'Lưu góc nhìn này',
    dash_save_help: 'Lưu truy vấn ở trên để cả nhóm mở lại được.',
    dash_saved_ok: 'Đã lưu: {name}',
    dash_open: 'Mở',
    dash_delete: 'Xoá',
    dash_delete_title: 'Xoá bảng số liệu đã lưu này?',
    dash_delete_text: '“{name}” sẽ bị xoá với mọi người trong workspace này.',
    dash_saved_by: 'Người lưu',
    dash_saved_at: 'Lưu lúc',
    dash_actions: 'Thao tác',
    dash_name_missing: 'Hãy đặt tên cho góc nhìn trước.',
    dash_no_data: 'Không có khách hàng nào khớp truy vấn này',
    dash_no_data_detail: 'Hãy mở rộng khoảng thời gian, nới bộ lọc, hoặc kiểm tra các sự kiện đã chọn.',
    dash_none: '(không chọn)',
    dash_any_event: '(mọi sự kiện)',
    dash_events_n: '{n} sự kiện',
    dash_customers: 'Khách hàng',
    dash_customers_n: '{n} khách hàng',
    dash_customer: 'Khách hàng',
    dash_median_time: 'Thời gian trung vị',
    dash_share: 'Tỷ lệ',
    dash_duration_help: 'một số và đơn vị: 30m (phút), 12h (giờ), 7d (ngày)',
    dash_by_channel: 'kênh',
    dash_by_source: 'nguồn',
    dash_by_touchpoint: 'điểm chạm',
  },
});

export const BY_FIELDS = ['channel', 'source', 'touchpoint'];

/** A data value (event name, channel, e-mail): shown as is, never translated. */
export function data(text) {
  return h('span', { translate: 'no' }, text === null || text === undefined ? '–' : String(text));
}

/** t(key, vars) with each variable's value shown as data (never translated). */
export function tData(key, vars) {
  const names = Object.keys(vars);
  const text = t(key, Object.fromEntries(names.map((k, i) => [k, `\u0000${i}\u0000`])));
  return text.split('\u0000').map((part, i) => (i % 2 ? data(vars[names[Number(part)]]) : part));
}

/** The page's query from the address, over the page's defaults. */
export function readQuery(query, defaults) {
  const values = { ...defaults };
  for (const key of Object.keys(defaults)) {
    if (Array.isArray(defaults[key])) {
      if (query.has(key)) values[key] = query.getAll(key).filter(Boolean);
    } else if (query.has(key)) values[key] = query.get(key);
  }
  return values;
}

/** The query string of values (empty ones left out; lists repeat their key). */
export function queryString(values) {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && String(one).trim() !== '') out.append(key, String(one).trim());
    }
  }
  return out.toString().replace(/%2C/g, ',');
}

/** Show ``page`` for ``values``: the address changes, the router draws it again. */
export function go(page, values) {
  const target = `#/${page}?${queryString(values)}`;
  if (window.location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = target;
}

/** The API parameters of the values (empty ones left out). */
export function apiQuery(values) {
  const out = {};
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value) ? value.length : value !== undefined && value !== null && value !== '') out[key] = value;
  }
  return out;
}

export function pageHead(titleKey, leadKey) {
  return h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t(titleKey)), h('p', {}, t(leadKey))));
}

/** A <select> of [value, label, dataValue?] options; data labels are marked not to translate. */
export function select(id, options, value) {
  return h(
    'select',
    { id, name: id },
    options.map(([v, label, isData]) => h('option', { value: v, selected: String(v) === String(value ?? ''), translate: isData ? 'no' : null }, label)),
  );
}

export function input(id, value, attrs = {}) {
  return h('input', { id, name: id, value: value ?? '', ...attrs });
}

let names = null;
/** The workspace's event names, most frequent first (fetched once per page load). */
export async function eventNames() {
  if (!names) names = api(wsPath('/event-names')).then((answer) => answer.events);
  try {
    return await names;
  } catch (error) {
    names = null;
    throw error;
  }
}

export function eventOptions(events, { blank } = {}) {
  const options = events.map((e) => [e.event, `${e.event} (${fmt.int(e.customers)})`, true]);
  return blank ? [['', blank], ...options] : options;
}

/**
 * The filter form: the page's own fields, then the period and the --where filter.
 * read(form) returns the page's values; submitting shows them (the address changes).
 */
export function filterForm(page, values, fields, read) {
  const since = input(`${page}-since`, values.since, { type: 'date' });
  const until = input(`${page}-until`, values.until, { type: 'date' });
  const where = input(`${page}-where`, values.where, { type: 'text', size: 34, spellcheck: 'false', translate: 'no' });
  const form = h(
    'form',
    { class: 'card dash-form', id: `${page}-form` },
    h('h2', {}, t('dash_filters')),
    h('div', { class: 'dash-fields' }, fields),
    h(
      'div',
      { class: 'dash-fields' },
      field(t('dash_from'), since),
      field(t('dash_to'), until),
      h('div', { class: 'dash-wide' }, field(t('dash_where'), where, tData('dash_where_help', { example: 'channel in (shopee, lazada)' }))),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => go(page, {}) }, t('dash_reset')),
      h('button', { type: 'submit', class: 'primary' }, t('dash_run')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(page, { ...read(form), since: since.value, until: until.value, where: where.value });
  });
  return form;
}

/** A box that loads a report: loading, then the drawing, or the error in plain words. */
export function reportBox(id, loader) {
  const box = h('div', { id, class: 'dash-report', 'aria-live': 'polite' });
  into(box, loader);
  return box;
}

/** What the server said beside the numbers (a step nobody reached, events not yet
 * stitched into customers), in the page's language; null when it said nothing. ``skip``:
 * codes the page already says in its own words (an empty funnel need not list its steps). */
export function notesBox(report, skip = []) {
  const notes = ((report && report.notes) || []).filter((n) => !skip.includes(n.code));
  if (!notes.length) return null;
  return h('div', { class: 'dash-notes', role: 'note' }, ...notes.map((n) => h('p', { dataset: { code: n.code } }, n.message)));
}

export function noData() {
  return empty(t('dash_no_data'), t('dash_no_data_detail'));
}

function canEdit() {
  return session.user && (session.user.role === 'editor' || session.user.role === 'admin');
}

async function savedList(page, box) {
  const answer = await api(wsPath('/dashboards'), { query: { page } });
  const items = answer.dashboards;
  if (!items.length) return h('p', { class: 'muted' }, t('dash_saved_none'));
  return table(
    [
      { label: t('dash_save_name'), value: (d) => h('a', { href: `#/${page}?${d.query}`, class: 'saved-open' }, data(d.name)) },
      { label: t('dash_saved_at'), value: (d) => fmt.dateTime(d.saved_at) },
      { label: t('dash_saved_by'), value: (d) => data(d.author || '') },
      {
        label: t('dash_actions'),
        value: (d) =>
          canEdit()
            ? h('button', { type: 'button', class: 'small', 'aria-label': `${t('dash_delete')}: ${d.name}`, onclick: () => remove(page, d, box) }, t('dash_delete'))
            : null,
      },
    ],
    items,
  );
}

async function remove(page, item, box) {
  if (!(await confirmDialog(t('dash_delete_title'), t('dash_delete_text', { name: item.name }), { danger: true, confirmLabel: t('dash_delete') }))) return;
  try {
    await api(wsPath(`/dashboards/${encodeURIComponent(item.id)}`), { method: 'DELETE' });
    into(box, () => savedList(page, box));
  } catch (error) {
    clear(box, errorBox(error));
  }
}

/** The saved dashboards of the page; editors and admins also save the current query. */
export function savedCard(page, values) {
  const list = h('div', { id: `${page}-saved-list` });
  into(list, () => savedList(page, list));
  let form = null;
  if (canEdit()) {
    const name = input(`${page}-save-name`, '', { type: 'text', maxlength: 100, autocomplete: 'off' });
    const said = h('p', { class: 'form-error', role: 'status', id: `${page}-save-said` });
    form = h('form', { class: 'dash-save' }, field(t('dash_save_name'), name, t('dash_save_help')), h('button', { type: 'submit' }, t('dash_save')), said);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!name.value.trim()) {
        said.textContent = t('dash_name_missing');
        return;
      }
      try {
        const saved = await api(wsPath('/dashboards'), { method: 'POST', body: { page, name: name.value.trim(), query: queryString(values) } });
        said.textContent = t('dash_saved_ok', { name: saved.name });
        name.value = '';
        into(list, () => savedList(page, list));
      } catch (error) {
        clear(said, errorBox(error));
      }
    });
  }
  return card(t('dash_saved'), form, list);
}
