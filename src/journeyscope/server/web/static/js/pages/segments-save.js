// "Save as segment" under a customer list (who dropped at a funnel step): POST /segments
// with the rows' customer ids as `members`, as `funnel --dropped-at STEP --save-segment`
// does. Only editors and admins see it; a list cut short by the server is not saved, since a
// segment of the first rows only would silently miss customers.
import { api, session, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { errorBox, field, h } from '../ui.js';
import { data } from './dashboards-common.js';

register({
  en: {
    segsave_open: 'Save as segment',
    segsave_name: 'Name of the new segment',
    segsave_name_help: 'Lower-case letters, digits, - and _, e.g. dropped-checkout',
    segsave_submit: 'Save the segment',
    segsave_done: 'Saved as segment {name}: {n} customers.',
    segsave_view: 'Open the segment',
    segsave_truncated: 'This list is cut short, so it cannot be saved as a segment here. Use the CLI: funnel --dropped-at STEP --save-segment NAME.',
  },
  vi: {
    segsave_open: 'Lưu thành phân khúc',
    segsave_name: 'Tên phân khúc mới',
    segsave_name_help: 'Chữ thường không dấu, chữ số, - và _, ví dụ roi-bo-thanh-toan',
    segsave_submit: 'Lưu phân khúc',
    segsave_done: 'Đã lưu thành phân khúc {name}: {n} khách hàng.',
    segsave_view: 'Mở phân khúc',
    segsave_truncated: 'Danh sách này bị cắt bớt nên không lưu thành phân khúc ở đây được. Hãy dùng CLI: funnel --dropped-at BƯỚC --save-segment TÊN.',
  },
});

export function canWrite() {
  return Boolean(session.user && (session.user.role === 'editor' || session.user.role === 'admin'));
}

/** The button and its small form; ``ids`` are the list's customer ids. */
export function saveAsSegment({ id, ids, source, truncated }) {
  if (!canWrite()) return null;
  if (truncated) return h('p', { class: 'muted small', id: `${id}-truncated` }, t('segsave_truncated'));
  const name = h('input', { type: 'text', id: `${id}-name`, maxlength: 64, autocomplete: 'off', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9_\\-]*', translate: 'no' });
  const said = h('div', { id: `${id}-said`, role: 'status' });
  const form = h('form', { class: 'segsave', id, hidden: true }, field(t('segsave_name'), name, t('segsave_name_help')), h('button', { type: 'submit', class: 'primary' }, t('segsave_submit')), said);
  const open = h('button', { type: 'button', id: `${id}-open`, 'aria-expanded': 'false', onclick: () => {
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) name.focus();
  } }, t('segsave_open'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    said.replaceChildren();
    try {
      const saved = await api(wsPath('/segments'), { method: 'POST', body: { name: name.value.trim(), members: ids, source } });
      said.append(
        h('p', {}, t('segsave_done', { name: saved.name, n: fmt.int(saved.customers) }), ' '),
        h('a', { href: `#/segments?name=${encodeURIComponent(saved.name)}` }, t('segsave_view'), ' ', data(saved.name)),
      );
    } catch (error) {
      said.append(errorBox(error));
    }
  });
  return h('div', { class: 'segsave-box' }, open, form);
}
