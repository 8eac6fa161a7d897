// Data → collection keys (admins): the workspace's API keys (GET/POST/DELETE /keys, the
// library of `journeyscope keys`). A new key's secret is shown once, with a copy button.
import { api, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { card, clear, confirmDialog, errorBox, field, h, into, table } from '../ui.js';
import { utc } from './customers-words.js';

register({
  en: {
    keys_title: 'Collection and API keys',
    keys_lead: 'Write keys let a website, an app or a server send events (Segment-compatible); read keys read reports; admin keys manage the workspace.',
    keys_name: 'Name',
    keys_name_help: 'Where the key is used, e.g. “website” or “POS store 3”.',
    keys_role: 'Role',
    keys_role_write: 'write: send events',
    keys_role_read: 'read: read reports',
    keys_role_admin: 'admin: manage everything',
    keys_create: 'Create key',
    keys_id: 'Key id',
    keys_created: 'Created',
    keys_state: 'State',
    keys_active: 'active',
    keys_revoked: 'revoked {at}',
    keys_revoke: 'Revoke',
    keys_revoke_title: 'Revoke key {id}?',
    keys_revoke_text: 'Whatever uses this key stops working at once. This cannot be undone.',
    keys_none: 'No keys yet',
    keys_none_detail: 'Create a write key to send events from a website or an app.',
    keys_secret_title: 'Your new key',
    keys_secret_lead: 'Copy it now: it is shown only this once and cannot be seen again.',
    keys_secret_label: 'The key',
    keys_copy: 'Copy',
    keys_copied: 'Copied',
    keys_unnamed: '(no name)',
  },
  vi: {
    keys_title: 'Khoá thu thập và khoá API',
    keys_lead: 'Khoá ghi (write) cho phép website, ứng dụng hay máy chủ gửi sự kiện (tương thích Segment); khoá đọc (read) đọc báo cáo; khoá quản trị quản lý workspace.',
    keys_name: 'Tên',
    keys_name_help: 'Khoá được dùng ở đâu, ví dụ “website” hoặc “POS cửa hàng 3”.',
    keys_role: 'Vai trò',
    keys_role_write: 'write: gửi sự kiện',
    keys_role_read: 'read: đọc báo cáo',
    keys_role_admin: 'admin: quản lý mọi thứ',
    keys_create: 'Tạo khoá',
    keys_id: 'Mã khoá',
    keys_created: 'Ngày tạo',
    keys_state: 'Trạng thái',
    keys_active: 'đang dùng',
    keys_revoked: 'đã thu hồi {at}',
    keys_revoke: 'Thu hồi',
    keys_revoke_title: 'Thu hồi khoá {id}?',
    keys_revoke_text: 'Mọi nơi đang dùng khoá này sẽ ngừng hoạt động ngay. Không thể hoàn tác.',
    keys_none: 'Chưa có khoá nào',
    keys_none_detail: 'Hãy tạo một khoá write để gửi sự kiện từ website hoặc ứng dụng.',
    keys_secret_title: 'Khoá mới của bạn',
    keys_secret_lead: 'Hãy sao chép ngay: khoá chỉ hiện một lần này và không thể xem lại.',
    keys_secret_label: 'Khoá',
    keys_copy: 'Sao chép',
    keys_copied: 'Đã sao chép',
    keys_unnamed: '(không tên)',
  },
});

function keysTable(keys, reload) {
  if (!keys.length) return h('div', { class: 'state empty', role: 'status' }, h('strong', {}, t('keys_none')), h('p', {}, t('keys_none_detail')));
  return table(
    [
      { label: t('keys_id'), value: (k) => h('code', { translate: 'no' }, k.id) },
      { label: t('keys_name'), value: (k) => (k.name ? h('span', { translate: 'no' }, k.name) : h('span', { class: 'muted' }, t('keys_unnamed'))) },
      { label: t('keys_role'), value: (k) => h('span', { translate: 'no' }, t(`keys_role_${k.role}`)) },
      { label: t('keys_created'), value: (k) => fmt.dateTime(utc(k.created_at)) },
      {
        label: t('keys_state'),
        value: (k) => (k.revoked_at
          ? h('span', { class: 'badge bad' }, t('keys_revoked', { at: fmt.date(utc(k.revoked_at)) }))
          : h('span', { class: 'badge good' }, t('keys_active'))),
      },
      {
        label: t('keys_revoke'),
        value: (k) => (k.revoked_at ? '–' : h('button', {
          type: 'button',
          class: 'small',
          dataset: { key: k.id },
          onclick: async () => {
            if (!(await confirmDialog(t('keys_revoke_title', { id: k.id }), t('keys_revoke_text'), { danger: true, confirmLabel: t('keys_revoke') }))) return;
            await api(wsPath(`/keys/${k.id}`), { method: 'DELETE' });
            reload();
          },
        }, t('keys_revoke'))),
      },
    ],
    keys,
  );
}

function secretBox(made) {
  const input = h('input', { type: 'text', id: 'new-key-secret', readonly: true, value: made.key, size: 60, translate: 'no', spellcheck: 'false' });
  const copy = h('button', {
    type: 'button',
    onclick: async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(made.key);
      } catch (ignored) {
        document.execCommand('copy');
      }
      copy.textContent = t('keys_copied');
    },
  }, t('keys_copy'));
  return h('div', { class: 'state notice', role: 'status', id: 'new-key' }, h('strong', {}, t('keys_secret_title')), h('p', {}, t('keys_secret_lead')),
    h('div', { class: 'toolbar' }, field(t('keys_secret_label'), input), copy));
}

export function keysCard() {
  const list = h('div', { id: 'keys-list' });
  const fresh = h('div', { 'aria-live': 'polite' });
  const reload = () => into(list, async () => keysTable((await api(wsPath('/keys'))).keys, reload));
  const name = h('input', { type: 'text', id: 'key-name', maxlength: 200 });
  const role = h('select', { id: 'key-role' }, ['write', 'read', 'admin'].map((r) => h('option', { value: r, translate: 'no' }, t(`keys_role_${r}`))));
  const form = h(
    'form',
    {
      class: 'toolbar',
      id: 'key-form',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const made = await api(wsPath('/keys'), { method: 'POST', body: { role: role.value, name: name.value.trim() || null } });
          clear(fresh, secretBox(made));
          name.value = '';
          reload();
        } catch (error) {
          clear(fresh, errorBox(error));
        }
      },
    },
    field(t('keys_name'), name, t('keys_name_help')),
    field(t('keys_role'), role),
    h('button', { type: 'submit', class: 'primary' }, t('keys_create')),
  );
  reload();
  return card(t('keys_title'), h('p', { class: 'muted' }, t('keys_lead')), form, fresh, list);
}
