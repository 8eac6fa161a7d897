// DOM helpers. Text always goes in as text (textContent), never as HTML, so a customer's
// name or a map's words can never run as code.
import { t, register } from './i18n.js';

register({
  en: {
    loading: 'Loading…',
    error_title: 'Something went wrong',
    error_offline: 'The server cannot be reached. Check the connection and try again.',
    error_401: 'Your session has ended. Please sign in again.',
    error_403: 'Your role does not allow this. Ask an admin of this workspace.',
    error_404: 'Not found: it may have been removed or renamed.',
    error_409: 'The data is busy (an import or identity run is writing). Try again in a moment.',
    error_412: 'Someone else saved this in the meantime.',
    error_429: 'Too many tries. Wait a moment and try again.',
    error_4xx: 'This request could not be used.',
    error_5xx: 'The server hit a problem. It has been logged; try again later.',
    error_hint: 'How to fix: {hint}',
    retry: 'Try again',
    download_csv: 'Data (CSV)',
    download_png: 'Image (PNG)',
    download_svg: 'Image (SVG)',
    close: 'Close',
    cancel: 'Cancel',
    confirm: 'Confirm',
  },
  vi: {
    loading: 'Đang tải…',
    error_title: 'Đã có lỗi',
    error_offline: 'Không kết nối được máy chủ. Hãy kiểm tra kết nối rồi thử lại.',
    error_401: 'Phiên đăng nhập đã hết. Vui lòng đăng nhập lại.',
    error_403: 'Vai trò của bạn không được làm việc này. Hãy hỏi quản trị viên của workspace.',
    error_404: 'Không tìm thấy: có thể đã bị xoá hoặc đổi tên.',
    error_409: 'Dữ liệu đang bận (đang nhập dữ liệu hoặc gộp danh tính). Hãy thử lại sau ít phút.',
    error_412: 'Người khác đã lưu nội dung này trong lúc bạn sửa.',
    error_429: 'Thử quá nhiều lần. Hãy đợi một lát rồi thử lại.',
    error_4xx: 'Yêu cầu này không dùng được.',
    error_5xx: 'Máy chủ gặp sự cố. Lỗi đã được ghi lại; hãy thử lại sau.',
    error_hint: 'Cách sửa: {hint}',
    retry: 'Thử lại',
    download_csv: 'Dữ liệu (CSV)',
    download_png: 'Ảnh (PNG)',
    download_svg: 'Ảnh (SVG)',
    close: 'Đóng',
    cancel: 'Huỷ',
    confirm: 'Xác nhận',
  },
});

/** h('button', {class: 'primary', onclick: f}, 'text', child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function loading() {
  return h('div', { class: 'state loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading'));
}

export function empty(title, detail) {
  return h('div', { class: 'state empty', role: 'status' }, h('strong', {}, title), detail ? h('p', {}, detail) : null);
}

/** The CLI option an error names (the API shares the CLI's messages), as the API
 * parameter a page's field is named after (its id ends in it: funnel-window). */
const FLAG_PARAMS = { '--from': 'since', '--to': 'until' };

/** The form field on the page an error is about: its label replaces the CLI option in
 * the words shown, and the field is marked invalid, so nobody meets "--window". */
function fieldOf(error) {
  const flag = error && error.location && error.location.field;
  if (!flag || !flag.startsWith('--')) return null;
  const param = FLAG_PARAMS[flag] || flag.slice(2).replace(/-/g, '_');
  const input = document.querySelector(`form [id$="-${param.replace(/_/g, '-')}"]`);
  const label = input && document.querySelector(`label[for="${input.id}"]`);
  return label ? { flag, input, label: label.textContent.trim() } : null;
}

/** An error in words a marketer understands, then the server's own message and hint. */
export function errorBox(error, retry) {
  const status = error && error.status;
  let key = 'error_5xx';
  if (status === 0) key = 'error_offline';
  else if ([401, 403, 404, 409, 412, 429].includes(status)) key = `error_${status}`;
  else if (status >= 400 && status < 500) key = 'error_4xx';
  const about = fieldOf(error);
  const words = (text) => (about && text ? text.split(about.flag).join(`“${about.label}”`) : text);
  if (about) about.input.setAttribute('aria-invalid', 'true');
  const detail = error && error.message && status !== 0 ? words(error.message) : null;
  return h(
    'div',
    { class: 'state error', role: 'alert' },
    h('strong', {}, t(key)),
    detail ? h('p', { class: 'detail' }, detail) : null,
    error && error.hint ? h('p', { class: 'hint' }, t('error_hint', { hint: words(error.hint) })) : null,
    retry ? h('button', { type: 'button', onclick: retry }, t('retry')) : null,
  );
}

/** Run an async loader into a box with loading / error states. */
export async function into(box, loader) {
  clear(box, loading());
  try {
    const content = await loader();
    clear(box, content);
  } catch (error) {
    clear(box, errorBox(error, () => into(box, loader)));
    if (!(error && error.status)) console.error(error);
  }
}

export function download(filename, blob) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function csvCell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  // a leading = + - @ would be a formula in Excel: quote it inert
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV with a BOM so Excel opens Vietnamese text right. */
export function toCsv(columns, rows) {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return new Blob(['\ufeff', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
}

/** A table of rows; columns: [{label, value: row => text|Node, num: bool}] */
export function table(columns, rows, { caption } = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.value(row)))))),
    ),
  );
}

/** A modal dialog (native <dialog>: focus trapped, Escape closes). Resolves true/false. */
export function confirmDialog(title, text, { danger = false, confirmLabel, typeToConfirm, typeLabel } = {}) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' });
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const ok = h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => done(true) }, confirmLabel || t('confirm'));
    // typeToConfirm: the confirm button works only once this exact text is typed
    let typed = null;
    if (typeToConfirm) {
      ok.disabled = true;
      const input = h('input', { type: 'text', id: 'dialog-type', autocomplete: 'off', spellcheck: 'false', oninput: (e) => { ok.disabled = e.target.value.trim() !== typeToConfirm; } });
      typed = field(typeLabel || typeToConfirm, input);
    }
    dialog.append(
      h('h2', { id: 'dialog-title' }, title),
      h('p', {}, text),
      typed,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => done(false) }, t('cancel')),
        ok,
      ),
    );
    dialog.addEventListener('cancel', () => done(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A labelled form field; the input keeps its own id so labels and errors point at it. */
let fieldCount = 0;
export function field(label, input, help) {
  fieldCount += 1;
  const id = input.id || `field-${fieldCount}`;
  input.id = id;
  const helpId = help ? `${id}-help` : null;
  if (helpId) input.setAttribute('aria-describedby', helpId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, help ? h('small', { id: helpId }, help) : null);
}

export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...children);
}
