// Segments (#/segments): the workspace's named sets of customers with their size today
// (GET /segments, the CLI's `segment list`), one segment's detail (#/segments?name=vip),
// a form to add a rule segment and deletion — the last two for editors and admins only
// (the API refuses viewers too). A segment filters every report: `where=segment = NAME`.
import { api, session, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { card, clear, confirmDialog, empty, errorBox, field, h, into, table } from '../ui.js';
import { data, tData } from './dashboards-common.js';
import { reportLink, segmentDetail } from './segments-detail.js';
import { canWrite } from './segments-save.js';

register({
  en: {
    segments_title: 'Segments',
    segments_lead: 'Named groups of customers — by a rule or a saved list — to filter every report and bind personas to.',
    segments_list: 'Segments of this workspace',
    segments_name: 'Name',
    segments_kind: 'Kind',
    segments_kind_rule: 'rule',
    segments_kind_static: 'static list',
    segments_size: 'Customers today',
    segments_definition: 'Rule or list',
    segments_listed_n: '{n} listed',
    segments_description: 'Description',
    segments_actions: 'Actions',
    segments_open: 'Details',
    segments_open_label: 'Details of {name}',
    segments_delete: 'Delete',
    segments_delete_label: 'Delete {name}',
    segments_delete_title: 'Delete this segment?',
    segments_delete_text: 'The segment “{name}” will be removed for everyone. Reports and personas that use it will stop working until it is added again. The customers are not touched.',
    segments_none: 'No segment yet',
    segments_none_detail: 'Add one with a rule below, or save the customers who dropped at a funnel step as a segment.',
    segments_none_viewer: 'Ask an editor to add one, or add one with the CLI: journeyscope segment add.',
    segments_new: 'Add a rule segment',
    segments_rule: 'Rule',
    segments_rule_help: 'Facts about each customer joined by “and”. Examples:',
    segments_fields: 'Fields: orders, refunds, revenue (VND), aov, events, days_since_last, days_since_first, avg_rating, r, f, m, rfm_segment, channel, main_channel, first_channel, channel_share.CHANNEL, did.EVENT, traits.KEY.',
    segments_name_help: 'Lower-case letters, digits, - and _, e.g. vip',
    segments_desc_help: 'Optional: what the team should know about it.',
    segments_create: 'Add the segment',
    segments_created: 'Added {name}: {n} customers today.',
    segments_back: 'All segments',
    segments_read_only: 'Your role can look at segments but not change them.',
  },
  vi: {
    segments_title: 'Phân khúc',
    segments_lead: 'Các nhóm khách hàng có tên — theo quy tắc hoặc danh sách đã lưu — để lọc mọi báo cáo và gắn với chân dung khách hàng.',
    segments_list: 'Các phân khúc của workspace này',
    segments_name: 'Tên',
    segments_kind: 'Loại',
    segments_kind_rule: 'quy tắc',
    segments_kind_static: 'danh sách cố định',
    segments_size: 'Số khách hàng hiện tại',
    segments_definition: 'Quy tắc hoặc danh sách',
    segments_listed_n: '{n} mục trong danh sách',
    segments_description: 'Mô tả',
    segments_actions: 'Thao tác',
    segments_open: 'Chi tiết',
    segments_open_label: 'Chi tiết của {name}',
    segments_delete: 'Xoá',
    segments_delete_label: 'Xoá {name}',
    segments_delete_title: 'Xoá phân khúc này?',
    segments_delete_text: 'Phân khúc “{name}” sẽ bị xoá với mọi người. Báo cáo và chân dung khách hàng dùng nó sẽ không chạy được cho đến khi thêm lại. Khách hàng không bị ảnh hưởng.',
    segments_none: 'Chưa có phân khúc nào',
    segments_none_detail: 'Thêm một phân khúc bằng quy tắc ở dưới, hoặc lưu những khách rời bỏ ở một bước của phễu thành phân khúc.',
    segments_none_viewer: 'Hãy nhờ biên tập viên thêm, hoặc thêm bằng CLI: journeyscope segment add.',
    segments_new: 'Thêm phân khúc theo quy tắc',
    segments_rule: 'Quy tắc',
    segments_rule_help: 'Các đặc điểm của từng khách nối bằng “and”. Ví dụ:',
    segments_fields: 'Các trường: orders (số đơn), refunds (hoàn tiền), revenue (doanh thu, VND), aov (giá trị đơn trung bình), events (số sự kiện), days_since_last, days_since_first (số ngày), avg_rating (điểm đánh giá), r, f, m, rfm_segment (RFM), channel, main_channel, first_channel (kênh), channel_share.KÊNH, did.SỰ_KIỆN, traits.KHOÁ.',
    segments_name_help: 'Chữ thường không dấu, chữ số, - và _, ví dụ vip',
    segments_desc_help: 'Không bắt buộc: điều cả nhóm cần biết về phân khúc.',
    segments_create: 'Thêm phân khúc',
    segments_created: 'Đã thêm {name}: hiện có {n} khách hàng.',
    segments_back: 'Mọi phân khúc',
    segments_read_only: 'Vai trò của bạn xem được phân khúc nhưng không thay đổi được.',
  },
});

const EXAMPLES = [
  'revenue >= 5000000 and orders >= 2',
  'first_channel = shopee and channel_share.shopee >= 0.5',
  'channel in (shopee, lazada) and days_since_last > 60',
  'did.add_to_cart >= 2 and orders = 0',
];

function definition(s) {
  if (s.rule) return h('code', { translate: 'no' }, s.rule);
  return t('segments_listed_n', { n: fmt.int(s.listed) });
}

function actions(s, reload) {
  return h(
    'div',
    { class: 'segments-actions' },
    h('a', { href: `#/segments?name=${encodeURIComponent(s.name)}`, class: 'button small', 'aria-label': t('segments_open_label', { name: s.name }) }, t('segments_open')),
    reportLink(s.name, null),
    canWrite()
      ? h('button', { type: 'button', class: 'small danger-ghost', 'aria-label': t('segments_delete_label', { name: s.name }), onclick: () => remove(s, reload) }, t('segments_delete'))
      : null,
  );
}

async function listBox(reload) {
  const items = await api(wsPath('/segments'));
  if (!items.length) return empty(t('segments_none'), t(canWrite() ? 'segments_none_detail' : 'segments_none_viewer'));
  return h(
    'div',
    { id: 'segments-table' },
    table(
      [
        { label: t('segments_name'), value: (s) => h('strong', { translate: 'no', dataset: { segment: s.name } }, s.name) },
        { label: t('segments_kind'), value: (s) => t(s.kind === 'rule' ? 'segments_kind_rule' : 'segments_kind_static') },
        { label: t('segments_size'), num: true, value: (s) => h('span', { class: 'segment-size', dataset: { value: String(s.customers) } }, fmt.int(s.customers)) },
        { label: t('segments_definition'), value: definition },
        { label: t('segments_description'), value: (s) => data(s.description || '') },
        { label: t('segments_actions'), value: (s) => actions(s, reload) },
      ],
      items,
    ),
  );
}

async function remove(s, reload) {
  const ok = await confirmDialog(t('segments_delete_title'), t('segments_delete_text', { name: s.name }), { danger: true, confirmLabel: t('segments_delete') });
  if (!ok) return;
  try {
    await api(wsPath(`/segments/${encodeURIComponent(s.name)}`), { method: 'DELETE' });
    reload();
  } catch (error) {
    reload(error);
  }
}

/** Which input an API error belongs to: its location's field (NAME, --rule), else the form. */
function errorTarget(error) {
  const where = `${(error.location && error.location.field) || ''} ${(error.problems || []).map((p) => p.location).join(' ')}`.toLowerCase();
  if (where.includes('name')) return 'name';
  if (where.includes('description')) return 'description';
  if (where.includes('rule') || ['invalid_rule', 'unknown_segment_field', 'unknown_event', 'unknown_channel', 'unknown_field'].includes(error.code)) return 'rule';
  return 'form';
}

function createForm(reload) {
  const name = h('input', { type: 'text', id: 'segment-name', maxlength: 64, autocomplete: 'off', spellcheck: 'false', translate: 'no', required: true });
  const rule = h('textarea', { id: 'segment-rule', rows: 2, spellcheck: 'false', translate: 'no', required: true });
  const description = h('input', { type: 'text', id: 'segment-description', maxlength: 300, autocomplete: 'off' });
  const errors = { name: h('p', { class: 'field-error', id: 'segment-name-error', role: 'alert' }), rule: h('p', { class: 'field-error', id: 'segment-rule-error', role: 'alert' }), description: h('p', { class: 'field-error', id: 'segment-description-error', role: 'alert' }) };
  const said = h('div', { id: 'segment-said', role: 'status' });
  const help = h(
    'div',
    { class: 'segments-help' },
    t('segments_rule_help'),
    h('ul', {}, EXAMPLES.map((e) => h('li', {}, h('button', { type: 'button', class: 'linkish', translate: 'no', onclick: () => { rule.value = e; rule.focus(); } }, e)))),
    h('p', { class: 'muted small' }, t('segments_fields')),
  );
  const form = h(
    'form',
    { class: 'segments-form', id: 'segment-form', novalidate: true },
    h('div', { class: 'dash-fields' }, h('div', { class: 'segments-name' }, field(t('segments_name'), name, t('segments_name_help')), errors.name), h('div', { class: 'dash-wide' }, field(t('segments_description'), description, t('segments_desc_help')), errors.description)),
    h('div', {}, field(t('segments_rule'), rule), errors.rule, help),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('segments_create'))),
    said,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const box of [...Object.values(errors), said]) box.replaceChildren();
    for (const input of [name, rule, description]) input.removeAttribute('aria-invalid');
    try {
      const body = { name: name.value.trim(), rule: rule.value.trim(), description: description.value.trim() || null };
      const saved = await api(wsPath('/segments'), { method: 'POST', body });
      said.append(h('p', { class: 'ok' }, tData('segments_created', { name: saved.name, n: fmt.int(saved.customers) })));
      form.reset();
      reload();
    } catch (error) {
      const target = errorTarget(error);
      if (target === 'form' || !error.status) {
        said.append(errorBox(error));
        return;
      }
      const input = { name, rule, description }[target];
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-errormessage', errors[target].id);
      errors[target].append(error.message, error.hint ? h('span', { class: 'hint' }, ` — ${t('error_hint', { hint: error.hint })}`) : null);
      input.focus();
    }
  });
  return card(t('segments_new'), form);
}

export async function render(main, params, query) {
  const chosen = query.get('name');
  main.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('segments_title')), h('p', {}, t('segments_lead')))));
  if (chosen) {
    const box = h('div', { id: 'segment-detail-box', 'aria-live': 'polite' });
    main.append(h('p', {}, h('a', { href: '#/segments' }, `← ${t('segments_back')}`)), box);
    await into(box, () => segmentDetail(chosen));
    return;
  }
  const list = h('div', { id: 'segments-list', 'aria-live': 'polite' });
  const reload = (error) => (error ? clear(list, errorBox(error, () => reload())) : into(list, () => listBox(reload)));
  main.append(h('section', { class: 'card' }, h('h2', {}, t('segments_list')), list));
  main.append(canWrite() ? createForm(reload) : h('p', { class: 'muted', id: 'segments-read-only' }, t('segments_read_only')));
  await reload();
}
