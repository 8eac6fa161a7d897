// Users (admins): the workspace's web users — add one, change a role, sign a user out
// everywhere, remove — over /users, the library of `journeyscope users`.
import { api, session, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { card, clear, confirmDialog, errorBox, field, h, into, table } from '../ui.js';
import { utc } from './customers-words.js';

register({
  en: {
    users_title: 'Users',
    users_lead: 'Who can sign in to this workspace. Viewers read; editors also edit maps and personas; admins manage data, keys and users.',
    users_admins_only: 'Only admins manage users.',
    users_list: 'People with access',
    users_email: 'E-mail',
    users_name: 'Name',
    users_role: 'Role',
    users_since: 'Added',
    users_state: 'State',
    users_locked: 'locked until {at}',
    users_ok: 'can sign in',
    users_actions: 'Actions',
    users_you: '(you)',
    users_sign_out: 'Sign out everywhere',
    users_signed_out: '{email}: {n} sessions ended.',
    users_remove: 'Remove',
    users_remove_title: 'Remove {email}?',
    users_remove_text: 'They can no longer sign in, and every session they have open ends now.',
    users_removed: '{email} was removed.',
    users_role_changed: '{email} is now {role}.',
    users_add: 'Add a user',
    users_password: 'Password',
    users_password_help: 'At least 10 characters (a short sentence works well); tell it to the person in a safe way.',
    users_password2: 'Password again',
    users_mismatch: 'The two passwords differ.',
    users_add_button: 'Add user',
    users_added: '{email} can now sign in as {role}.',
    users_role_for: 'Role of {email}',
  },
  vi: {
    users_title: 'Người dùng',
    users_lead: 'Những ai được đăng nhập vào workspace này. Người xem chỉ đọc; biên tập viên sửa được bản đồ và chân dung; quản trị viên quản lý dữ liệu, khoá và người dùng.',
    users_admins_only: 'Chỉ quản trị viên mới quản lý người dùng.',
    users_list: 'Những người có quyền truy cập',
    users_email: 'E-mail',
    users_name: 'Tên',
    users_role: 'Vai trò',
    users_since: 'Ngày thêm',
    users_state: 'Trạng thái',
    users_locked: 'bị khoá đến {at}',
    users_ok: 'đăng nhập được',
    users_actions: 'Thao tác',
    users_you: '(bạn)',
    users_sign_out: 'Đăng xuất mọi nơi',
    users_signed_out: '{email}: đã kết thúc {n} phiên đăng nhập.',
    users_remove: 'Xoá',
    users_remove_title: 'Xoá {email}?',
    users_remove_text: 'Người này sẽ không đăng nhập được nữa, và mọi phiên đang mở kết thúc ngay.',
    users_removed: 'Đã xoá {email}.',
    users_role_changed: '{email} giờ là {role}.',
    users_add: 'Thêm người dùng',
    users_password: 'Mật khẩu',
    users_password_help: 'Ít nhất 10 ký tự (một câu ngắn là tốt); hãy báo cho người đó một cách an toàn.',
    users_password2: 'Nhập lại mật khẩu',
    users_mismatch: 'Hai mật khẩu không giống nhau.',
    users_add_button: 'Thêm người dùng',
    users_added: '{email} giờ đăng nhập được với vai trò {role}.',
    users_role_for: 'Vai trò của {email}',
  },
});

const ROLES = ['viewer', 'editor', 'admin'];
const userPath = (email) => wsPath(`/users/${encodeURIComponent(email)}`);

function say(box, text) {
  clear(box, h('div', { class: 'state notice', role: 'status' }, text));
}

async function act(box, work, reload) {
  try {
    say(box, await work());
  } catch (error) {
    clear(box, errorBox(error));
  }
  reload();
}

function roleSelect(user, box, reload) {
  return h(
    'select',
    {
      'aria-label': t('users_role_for', { email: user.email }),
      dataset: { email: user.email },
      class: 'role-select',
      onchange: (e) => act(box, async () => {
        const changed = await api(`${userPath(user.email)}/role`, { method: 'PUT', body: { role: e.target.value } });
        return t('users_role_changed', { email: changed.email, role: t(`role_${changed.role}`) });
      }, reload),
    },
    ROLES.map((r) => h('option', { value: r, selected: r === user.role }, t(`role_${r}`))),
  );
}

function actions(user, box, reload) {
  const signOut = h('button', {
    type: 'button',
    class: 'small',
    onclick: () => act(box, async () => {
      const done = await api(`${userPath(user.email)}/sign-out`, { method: 'POST' });
      return t('users_signed_out', { email: user.email, n: fmt.int(done.signed_out) });
    }, reload),
  }, t('users_sign_out'));
  const remove = h('button', {
    type: 'button',
    class: 'small danger',
    dataset: { remove: user.email },
    onclick: async () => {
      if (!(await confirmDialog(t('users_remove_title', { email: user.email }), t('users_remove_text'), { danger: true, confirmLabel: t('users_remove') }))) return;
      act(box, async () => {
        await api(userPath(user.email), { method: 'DELETE' });
        return t('users_removed', { email: user.email });
      }, reload);
    },
  }, t('users_remove'));
  const me = user.email === session.user.email;
  return h('div', { class: 'row-actions' }, signOut, me ? null : remove);
}

function usersTable(users, box, reload) {
  return table(
    [
      { label: t('users_email'), value: (u) => h('span', {}, h('span', { translate: 'no' }, u.email), u.email === session.user.email ? ` ${t('users_you')}` : '') },
      { label: t('users_name'), value: (u) => (u.name ? h('span', { translate: 'no' }, u.name) : '–') },
      { label: t('users_role'), value: (u) => (u.email === session.user.email ? t(`role_${u.role}`) : roleSelect(u, box, reload)) },
      { label: t('users_since'), value: (u) => fmt.date(utc(u.created_at)) },
      { label: t('users_state'), value: (u) => (u.locked_until ? h('span', { class: 'badge bad' }, t('users_locked', { at: fmt.dateTime(utc(u.locked_until)) })) : h('span', { class: 'badge good' }, t('users_ok'))) },
      { label: t('users_actions'), value: (u) => actions(u, box, reload) },
    ],
    users,
  );
}

function addForm(box, reload) {
  const email = h('input', { type: 'email', id: 'user-email', required: true, autocomplete: 'off', maxlength: 320 });
  const name = h('input', { type: 'text', id: 'user-name', maxlength: 200, autocomplete: 'off' });
  const role = h('select', { id: 'user-role' }, ROLES.map((r) => h('option', { value: r }, t(`role_${r}`))));
  const pw = h('input', { type: 'password', id: 'user-password', required: true, autocomplete: 'new-password', minlength: 10 });
  const pw2 = h('input', { type: 'password', id: 'user-password2', required: true, autocomplete: 'new-password' });
  const problem = h('p', { class: 'form-error', id: 'user-form-error', role: 'alert' });
  const form = h(
    'form',
    {
      id: 'user-form',
      onsubmit: async (e) => {
        e.preventDefault();
        problem.textContent = '';
        pw2.removeAttribute('aria-invalid');
        if (pw.value !== pw2.value) {
          problem.textContent = t('users_mismatch');
          pw2.setAttribute('aria-invalid', 'true');
          pw2.focus();
          return;
        }
        try {
          const made = await api(wsPath('/users'), { method: 'POST', body: { email: email.value.trim(), role: role.value, password: pw.value, name: name.value.trim() || null } });
          form.reset();
          say(box, t('users_added', { email: made.email, role: t(`role_${made.role}`) }));
          reload();
        } catch (error) {
          clear(problem, error.message, error.hint ? ` — ${error.hint}` : '');
        }
      },
    },
    h('div', { class: 'two-col' }, field(t('users_email'), email), field(t('users_name'), name)),
    h('div', { class: 'two-col' }, field(t('users_password'), pw, t('users_password_help')), field(t('users_password2'), pw2)),
    field(t('users_role'), role),
    problem,
    h('button', { type: 'submit', class: 'primary' }, t('users_add_button')),
  );
  return card(t('users_add'), form);
}

export async function render(main) {
  main.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('users_title')), h('p', {}, t('users_lead')))));
  if (session.user.role !== 'admin') {
    main.append(h('div', { class: 'state', role: 'status' }, t('users_admins_only')));
    return;
  }
  const box = h('div', { id: 'users-notice', 'aria-live': 'polite' });
  const list = h('div', { id: 'users-list' });
  const reload = () => into(list, async () => usersTable((await api(wsPath('/users'))).users, box, reload));
  main.append(box, card(t('users_list'), list), addForm(box, reload));
  await reload();
}
