// What can be done from a customer's page: see why an identifier was merged (identity
// explain, everyone), block a wrong merge and run a resolve (admins), and forget the
// person under Decree 13/2023 (admins, after typing the identifier to confirm).
import { api, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { clear, confirmDialog, errorBox, h, loading } from '../ui.js';
import { idTypeLabel } from './customers-words.js';
import { followJob, progressBox } from './data-jobs.js';

register({
  en: {
    cust_why: 'Why?',
    cust_why_title: 'Why {id} belongs here',
    cust_why_links: 'Joined through {n} links, nearest first:',
    cust_why_link: '{from} ↔ {to}: {n} events together; first together:',
    cust_why_evidence: '{event} on {channel}, {time} (source {source}, event {event_id})',
    cust_why_alone: 'This identifier is the customer’s only one: nothing else was joined.',
    cust_why_not: 'This identifier joins nothing:',
    cust_rule_placeholder: 'it is a placeholder, not a person’s identifier (identity.deny).',
    cust_rule_max_links: 'it was seen with {n} different values of one type (more than identity.max_links = {limit}).',
    cust_rule_relative: 'it was seen with {n} different values of one type, far more than almost any other (identity.relative_links).',
    cust_rule_block: 'an admin blocked it.',
    cust_block: 'Block',
    cust_block_title: 'Block this identifier?',
    cust_block_text: '{id} will no longer join anything. The customer is split at the next identity resolve; until then this page still shows the merge.',
    cust_blocked: '{id} is blocked. Run an identity resolve to split the customer.',
    cust_block_again: '{id} was already blocked. Run an identity resolve to split the customer.',
    cust_resolve: 'Resolve identities now',
    cust_resolved: 'Identities resolved: {customers} customers. Customer numbers may have changed:',
    cust_search_again: 'look the person up again',
    cust_forget_title: 'Forget this person',
    cust_forget_lead: 'Under Decree 13/2023 a person may ask to have their data deleted. This deletes every event and identifier of this customer, also from quarantined rows, and keeps their identifiers on a suppression list so later imports skip them. It cannot be undone.',
    cust_forget_button: 'Forget this person…',
    cust_forget_confirm_title: 'Forget customer #{id} for good?',
    cust_forget_confirm_text: 'Every event and identifier of this person is deleted. Type {id} below to confirm.',
    cust_forget_type: 'Type the identifier to confirm',
    cust_forget_do: 'Forget for good',
    cust_forgotten: 'Forgotten: {events} events and {identifiers} identifiers deleted; {suppressed} identifiers suppressed.',
    cust_forgotten_back: 'Back to the search',
  },
  vi: {
    cust_why: 'Vì sao?',
    cust_why_title: 'Vì sao {id} thuộc khách hàng này',
    cust_why_links: 'Được nối qua {n} liên kết, gần nhất trước:',
    cust_why_link: '{from} ↔ {to}: {n} sự kiện cùng nhau; lần đầu cùng nhau:',
    cust_why_evidence: '{event} trên {channel}, {time} (nguồn {source}, sự kiện {event_id})',
    cust_why_alone: 'Đây là định danh duy nhất của khách hàng: không có gì khác được nối.',
    cust_why_not: 'Định danh này không nối với gì:',
    cust_rule_placeholder: 'đây là giá trị giữ chỗ, không phải định danh của một người (identity.deny).',
    cust_rule_max_links: 'nó đi cùng {n} giá trị khác nhau của một loại (nhiều hơn identity.max_links = {limit}).',
    cust_rule_relative: 'nó đi cùng {n} giá trị khác nhau của một loại, nhiều hơn hẳn gần như mọi định danh khác (identity.relative_links).',
    cust_rule_block: 'quản trị viên đã chặn nó.',
    cust_block: 'Chặn',
    cust_block_title: 'Chặn định danh này?',
    cust_block_text: '{id} sẽ không còn nối với gì. Khách hàng được tách ra ở lần gộp danh tính tiếp theo; đến lúc đó trang này vẫn hiện việc gộp.',
    cust_blocked: 'Đã chặn {id}. Hãy chạy gộp danh tính để tách khách hàng.',
    cust_block_again: '{id} đã bị chặn từ trước. Hãy chạy gộp danh tính để tách khách hàng.',
    cust_resolve: 'Gộp danh tính ngay',
    cust_resolved: 'Đã gộp danh tính: {customers} khách hàng. Mã khách hàng có thể đã đổi:',
    cust_search_again: 'tra cứu lại người này',
    cust_forget_title: 'Xoá dữ liệu của người này',
    cust_forget_lead: 'Theo Nghị định 13/2023, một người có quyền yêu cầu xoá dữ liệu của mình. Thao tác này xoá mọi sự kiện và định danh của khách hàng, kể cả trong các dòng bị cách ly, và giữ định danh của họ trong danh sách chặn để các lần nhập sau bỏ qua. Không thể hoàn tác.',
    cust_forget_button: 'Xoá dữ liệu của người này…',
    cust_forget_confirm_title: 'Xoá vĩnh viễn khách hàng #{id}?',
    cust_forget_confirm_text: 'Mọi sự kiện và định danh của người này sẽ bị xoá. Hãy gõ {id} vào ô dưới để xác nhận.',
    cust_forget_type: 'Gõ định danh để xác nhận',
    cust_forget_do: 'Xoá vĩnh viễn',
    cust_forgotten: 'Đã xoá: {events} sự kiện và {identifiers} định danh; {suppressed} định danh được đưa vào danh sách chặn.',
    cust_forgotten_back: 'Quay lại tìm kiếm',
  },
});

const no = (text) => h('span', { translate: 'no' }, text);
const RULES = ['placeholder', 'max_links', 'relative', 'block'];

function evidence(link) {
  const e = link.first_evidence || {};
  return t('cust_why_evidence', { event: e.event, channel: e.channel, time: fmt.dateTime(e.ts), source: e.source || '–', event_id: e.event_id });
}

function explained(found) {
  const title = h('h3', {}, t('cust_why_title', { id: found.identifier }));
  if (found.status !== 'linked') {
    const rule = RULES.includes(found.rule) ? t(`cust_rule_${found.rule}`, { n: fmt.int(found.max_links), limit: fmt.int(found.limit) }) : found.status;
    return h('div', { class: 'explain' }, title, h('p', {}, t('cust_why_not'), ' ', rule));
  }
  if (!found.links.length) return h('div', { class: 'explain' }, title, h('p', {}, t('cust_why_alone')));
  return h(
    'div',
    { class: 'explain' },
    title,
    h('p', {}, t('cust_why_links', { n: fmt.int(found.links.length) })),
    h('ol', { class: 'explain-links' }, found.links.map((l) => h('li', { style: `margin-left:${(l.depth - 1) * 1.25}rem` },
      t('cust_why_link', { from: l.from, to: l.to, n: fmt.int(l.events_together) }), ' ', h('span', { class: 'muted' }, evidence(l))))),
  );
}

/** "Why?": identity explain for one identifier, drawn into the shared explain box. */
export function explainButton(identifier, box) {
  return h('button', {
    type: 'button',
    class: 'small',
    'aria-controls': 'explain',
    onclick: async () => {
      clear(box, loading());
      try {
        clear(box, explained(await api(wsPath('/identity/explain'), { query: { identifier } })));
      } catch (error) {
        clear(box, errorBox(error));
      }
      box.scrollIntoView({ block: 'nearest' });
    },
  }, t('cust_why'));
}

function notice(...children) {
  const box = document.getElementById('customer-notice');
  clear(box, h('div', { class: 'state notice', role: 'status' }, ...children));
  box.scrollIntoView({ block: 'nearest' });
  return box;
}

async function resolveNow(lookup) {
  const value = lookup ? lookup.split(':').slice(1).join(':') : '';
  const progress = progressBox();
  const box = notice(progress);
  try {
    const started = await api(wsPath('/identity/resolve'), { method: 'POST' });
    const job = await followJob(started.status_url, progress.update);
    clear(box, h('div', { class: 'state notice', role: 'status' }, t('cust_resolved', { customers: fmt.int(job.result.customers) }), ' ',
      h('a', { href: value ? `#/customers?q=${encodeURIComponent(value)}` : '#/customers' }, t('cust_search_again'))));
  } catch (error) {
    clear(box, errorBox(error));
  }
}

/** "Block" (admins): after a confirmation, block the identifier; offer a resolve, then a
 * search by another identifier of the person (the blocked one no longer finds them). */
export function blockButton(identifier, profile) {
  return h('button', {
    type: 'button',
    class: 'small',
    onclick: async () => {
      const yes = await confirmDialog(t('cust_block_title'), t('cust_block_text', { id: identifier }), { confirmLabel: t('cust_block') });
      if (!yes) return;
      try {
        const done = await api(wsPath('/identity/block'), { method: 'POST', body: { identifier } });
        notice(t(done.new ? 'cust_blocked' : 'cust_block_again', { id: done.blocked }), ' ',
          h('button', { type: 'button', class: 'primary small', onclick: () => resolveNow(preferredIdentifier(profile, identifier)) }, t('cust_resolve')));
      } catch (error) {
        notice(errorBox(error));
      }
    },
  }, t('cust_block'));
}

/** An identifier a person recognises (a phone, an e-mail), other than ``except``. */
function preferredIdentifier(profile, except = null) {
  const order = ['phone', 'email', 'loyalty_id', 'user_id', 'zalo_id'];
  const usable = profile.identifiers.filter((i) => `${i.type}:${i.value}` !== except);
  const preferred = order.map((type) => usable.find((i) => i.type === type)).find(Boolean);
  const one = preferred || usable[0];
  return one ? `${one.type}:${one.value}` : null;
}

/** A sentence with the identifier to type set apart as code (and left untranslated). */
function withCode(sentence, identifier) {
  const [before, after] = sentence.split('\u0000');
  return h('span', {}, before, h('code', { translate: 'no' }, identifier), after);
}

/** The danger zone (admins): forget the person, after typing the identifier. */
export function forgetCard(profile) {
  const identifier = preferredIdentifier(profile);
  if (!identifier) return null;
  const result = h('div', { id: 'forget-result', 'aria-live': 'polite' });
  const button = h('button', {
    type: 'button',
    class: 'danger',
    id: 'forget',
    onclick: async () => {
      const yes = await confirmDialog(
        t('cust_forget_confirm_title', { id: profile.customer_id }),
        withCode(t('cust_forget_confirm_text', { id: '\u0000' }), identifier),
        { danger: true, confirmLabel: t('cust_forget_do'), typeToConfirm: identifier, typeLabel: t('cust_forget_type') },
      );
      if (!yes) return;
      try {
        const done = await api(wsPath('/forget'), { method: 'POST', body: { identifier } });
        const gone = done.deleted || {};
        const main = document.getElementById('customer');
        clear(main, h('h1', {}, t('cust_forget_title')), h('div', { class: 'state notice', role: 'status', id: 'forgotten' },
          t('cust_forgotten', { events: fmt.int(gone.events), identifiers: fmt.int(gone.identifiers), suppressed: fmt.int(done.suppressed) }), ' ',
          h('a', { href: '#/customers' }, t('cust_forgotten_back'))));
      } catch (error) {
        clear(result, errorBox(error));
      }
    },
  }, t('cust_forget_button'));
  return h('section', { class: 'card danger-zone' }, h('h2', {}, t('cust_forget_title')), h('p', {}, t('cust_forget_lead')),
    h('p', {}, idTypeLabel(identifier.split(':')[0]), ': ', no(identifier.split(':').slice(1).join(':'))), button, result);
}
