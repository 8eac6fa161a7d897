// Sign in: the workspace (when the server serves several), e-mail and password.
import { api, session } from '../api.js';
import { register, t } from '../i18n.js';
import { clear, field, h } from '../ui.js';

register({
  en: {
    signin_title: 'Sign in',
    signin_lead: 'Journey maps and journey data of your business, in one place.',
    signin_email: 'E-mail',
    signin_password: 'Password',
    signin_submit: 'Sign in',
    signin_working: 'Signing in…',
    signin_bad: 'The e-mail or password is wrong.',
    signin_locked: 'Too many wrong tries: this account is locked for a while.',
    signin_no_account: 'No account yet? An admin adds you with `journeyscope users add`.',
  },
  vi: {
    signin_title: 'Đăng nhập',
    signin_lead: 'Bản đồ hành trình và dữ liệu hành trình khách hàng của doanh nghiệp, ở cùng một nơi.',
    signin_email: 'E-mail',
    signin_password: 'Mật khẩu',
    signin_submit: 'Đăng nhập',
    signin_working: 'Đang đăng nhập…',
    signin_bad: 'E-mail hoặc mật khẩu không đúng.',
    signin_locked: 'Nhập sai quá nhiều lần: tài khoản tạm bị khoá.',
    signin_no_account: 'Chưa có tài khoản? Quản trị viên thêm bạn bằng `journeyscope users add`.',
  },
});

export async function render(root, { languageSwitch }) {
  const listed = await api('/api/v1/workspaces');
  const names = listed.workspaces;
  const workspace = h('select', { id: 'signin-workspace', name: 'workspace', required: true }, names.map((n) => h('option', { value: n }, n)));
  const email = h('input', { id: 'signin-email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'form-error', role: 'alert', id: 'signin-error' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, t('signin_submit'));
  const form = h(
    'form',
    {
      class: 'signin-form',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = '';
        submit.disabled = true;
        submit.textContent = t('signin_working');
        try {
          const granted = await api(`/api/v1/workspaces/${encodeURIComponent(workspace.value)}/session`, {
            method: 'POST',
            body: { email: email.value, password: password.value },
          });
          Object.assign(session, { workspace: granted.workspace, user: granted.user, csrf: granted.csrf });
          window.location.reload();
        } catch (error) {
          message.textContent = error.status === 429 ? `${t('signin_locked')} ${error.message}` : error.status === 401 ? t('signin_bad') : error.message;
          password.setAttribute('aria-invalid', 'true');
          password.focus();
          submit.disabled = false;
          submit.textContent = t('signin_submit');
        }
      },
    },
    names.length > 1 ? field(t('workspace'), workspace) : null,
    field(t('signin_email'), email),
    field(t('signin_password'), password),
    message,
    submit,
  );
  clear(
    root,
    h(
      'main',
      { class: 'signin', id: 'main' },
      h(
        'div',
        { class: 'signin-card' },
        h('div', { class: 'signin-top' }, h('img', { src: '/static/favicon.svg', alt: '', width: 40, height: 40 }), languageSwitch()),
        h('h1', {}, t('signin_title')),
        h('p', { class: 'lead' }, t('signin_lead')),
        names.length === 1 ? h('p', { class: 'muted' }, `${t('workspace')}: ${names[0]}`) : null,
        form,
        h('p', { class: 'muted small' }, t('signin_no_account')),
      ),
    ),
  );
  email.focus();
}
