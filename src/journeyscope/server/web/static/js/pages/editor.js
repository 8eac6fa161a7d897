// One journey map (#/maps/<name>): the editor with its live preview drawn by the server's
// `map render` renderer, undo/redo, problems at their fields, safe saves (If-Match: a save
// over someone else's newer one is shown as a conflict, never silent), versions and exports.
// Viewers get the preview, the versions and the exports, and no control that changes.
import { api, session, wsPath } from '../api.js';
import { register, t } from '../i18n.js';
import { clear, errorBox, field, h } from '../ui.js';
import { emotionsCard } from './editor-emotions.js';
import { loadChoices } from './editor-metrics.js';
import { renderForm, showProblems } from './editor-form.js';
import { EditorState, pruned, textOf } from './editor-state.js';
import { exportsCard, versionsCard } from './editor-versions.js';

register({
  en: {
    editor_back: '← All journey maps',
    editor_lead: 'Edit on the left; the preview on the right is drawn as `map render` draws it.',
    editor_undo: 'Undo',
    editor_redo: 'Redo',
    editor_save: 'Save',
    editor_saved: 'Saved as version {n}.',
    editor_unsaved: 'Unsaved changes',
    editor_clean: 'No unsaved changes',
    editor_saving: 'Saving…',
    editor_preview: 'Preview',
    editor_preview_alt: 'Preview of the journey map',
    editor_preview_stale: 'The preview shows the last valid map: fix the problems marked in red.',
    editor_invalid: 'The map has problems: fix the fields marked in red, then save.',
    editor_conflict_title: 'Someone else saved this map',
    editor_conflict_text: 'Another person saved a newer version while you were editing. Load theirs (your changes can be brought back with Undo), or overwrite theirs with yours knowingly.',
    editor_conflict_reload: 'Load their version',
    editor_conflict_overwrite: 'Overwrite with mine',
    editor_conflict_loaded: 'Their version is loaded. Undo brings your changes back.',
    editor_read_only: 'You can read this map; your role cannot change it.',
    editor_period_from: 'Live numbers: from',
    editor_period_to: 'Live numbers: to',
    editor_period_help: 'Empty: all the data.',
  },
  vi: {
    editor_back: '← Tất cả bản đồ hành trình',
    editor_lead: 'Sửa ở bên trái; bản xem trước bên phải được vẽ giống lệnh `map render`.',
    editor_undo: 'Hoàn tác',
    editor_redo: 'Làm lại',
    editor_save: 'Lưu',
    editor_saved: 'Đã lưu thành phiên bản {n}.',
    editor_unsaved: 'Có thay đổi chưa lưu',
    editor_clean: 'Không có thay đổi chưa lưu',
    editor_saving: 'Đang lưu…',
    editor_preview: 'Xem trước',
    editor_preview_alt: 'Bản xem trước của bản đồ hành trình',
    editor_preview_stale: 'Bản xem trước là bản đồ hợp lệ gần nhất: hãy sửa các lỗi được đánh dấu đỏ.',
    editor_invalid: 'Bản đồ còn lỗi: hãy sửa các trường được đánh dấu đỏ rồi lưu.',
    editor_conflict_title: 'Người khác đã lưu bản đồ này',
    editor_conflict_text: 'Một người khác đã lưu phiên bản mới hơn trong lúc bạn sửa. Hãy tải phiên bản của họ (có thể lấy lại thay đổi của bạn bằng Hoàn tác), hoặc chủ động ghi đè bằng bản của bạn.',
    editor_conflict_reload: 'Tải phiên bản của họ',
    editor_conflict_overwrite: 'Ghi đè bằng bản của tôi',
    editor_conflict_loaded: 'Đã tải phiên bản của họ. Hoàn tác để lấy lại thay đổi của bạn.',
    editor_read_only: 'Bạn có thể xem bản đồ này; vai trò của bạn không cho phép sửa.',
    editor_period_from: 'Số liệu trực tiếp: từ ngày',
    editor_period_to: 'Số liệu trực tiếp: đến ngày',
    editor_period_help: 'Để trống: toàn bộ dữ liệu.',
  },
});

const mapPath = (name, rest = '') => wsPath(`/maps/${encodeURIComponent(name)}${rest}`);

/** The preview image: blob URLs of SVG drawn by the server (the CSP allows no inline SVG script). */
function previewPane(onPeriod) {
  const img = h('img', { id: 'map-preview', alt: t('editor_preview_alt') });
  // the period the bound cells are filled for (the render routes' since/until)
  const since = h('input', { type: 'date', id: 'preview-from', onchange: onPeriod });
  const until = h('input', { type: 'date', id: 'preview-to', onchange: onPeriod });
  const period = h('div', { class: 'toolbar preview-period' }, field(t('editor_period_from'), since), field(t('editor_period_to'), until, t('editor_period_help')));
  const note = h('div', { id: 'preview-note', role: 'status' });
  let url = null;
  return {
    period: () => ({ since: since.value, until: until.value }),
    box: h('section', { class: 'card preview-card' }, h('h2', {}, t('editor_preview')), period, note, h('div', { class: 'preview-frame', tabindex: '0', role: 'region', 'aria-label': t('editor_preview') }, img)),
    show(blob) {
      const next = URL.createObjectURL(blob);
      img.src = next;
      img.classList.remove('stale');
      clear(note);
      if (url) setTimeout(() => URL.revokeObjectURL(url), 1000);
      url = next;
    },
    stale(node) {
      img.classList.add('stale');
      clear(note, node);
    },
  };
}

function conflictDialog() {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', id: 'conflict', 'aria-labelledby': 'conflict-title' });
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      h('h2', { id: 'conflict-title' }, t('editor_conflict_title')),
      h('p', {}, t('editor_conflict_text')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => done(null) }, t('cancel')),
        h('button', { type: 'button', id: 'conflict-reload', onclick: () => done('reload') }, t('editor_conflict_reload')),
        h('button', { type: 'button', class: 'danger', id: 'conflict-overwrite', onclick: () => done('overwrite') }, t('editor_conflict_overwrite')),
      ),
    );
    dialog.addEventListener('cancel', () => done(null));
    document.body.append(dialog);
    dialog.showModal();
  });
}

export async function render(main, [name]) {
  const canEdit = session.user.role === 'editor' || session.user.role === 'admin';
  const got = await api(mapPath(name));
  let etag = got.etag;
  const heading = h('span', { translate: 'no', id: 'map-heading' });
  const status = h('span', { id: 'save-status', class: 'muted small', role: 'status' });
  const problemsBox = h('div', { id: 'map-problems' });
  const formBox = h('div', { id: 'map-form' });
  const lanesBox = h('div', { id: 'map-lanes' });
  const preview = previewPane(() => schedulePreview(0));
  let timer = null;
  let sequence = 0;

  const state = new EditorState(got.document, ({ redraw }) => {
    if (redraw) {
      drawForm();
      emotions.refresh();
    }
    afterChange();
  });
  // what a cell's live number can show: loaded beside the personas
  const choices = canEdit ? loadChoices(got.document).catch(() => null) : Promise.resolve(null);
  try {
    const library = await api(wsPath('/personas'));
    state.personaNames = Object.fromEntries(library.map((p) => [p.id, p.name]));
  } catch (ignored) {
    state.personaNames = {}; // references then show their ids
  }
  state.bindingChoices = await choices;
  const emotions = emotionsCard(state, () => schedulePreview(0), { editable: canEdit });
  const undo = h('button', { type: 'button', id: 'map-undo', title: 'Ctrl+Z', onclick: () => state.undo() }, t('editor_undo'));
  const redo = h('button', { type: 'button', id: 'map-redo', title: 'Ctrl+Y', onclick: () => state.redo() }, t('editor_redo'));
  const saveButton = h('button', { type: 'button', id: 'map-save', class: 'primary', onclick: () => save(false) }, t('editor_save'));

  function drawForm() {
    renderForm(formBox, lanesBox, state, () => state.onChange({ redraw: true }), [emotions.box]);
  }

  function afterChange() {
    heading.textContent = textOf(state.doc.title, state.language) || name;
    undo.disabled = !state.past.length;
    redo.disabled = !state.future.length;
    status.textContent = state.dirty ? t('editor_unsaved') : t('editor_clean');
    if (canEdit) schedulePreview(400);
  }

  function schedulePreview(delay) {
    clearTimeout(timer);
    timer = setTimeout(drawPreview, delay);
  }

  async function drawPreview() {
    sequence += 1;
    const mine = sequence;
    try {
      const response = canEdit
        ? await api(wsPath('/maps/render'), { method: 'POST', body: pruned(state.doc), query: preview.period(), raw: true })
        : await api(mapPath(name, '/render'), { query: { format: 'svg', ...preview.period() }, raw: true });
      const blob = await response.blob();
      if (mine !== sequence) return;
      preview.show(blob);
      showProblems(page, problemsBox, []);
    } catch (error) {
      if (mine !== sequence) return;
      if (error.status === 400 && error.problems) {
        showProblems(page, problemsBox, error.problems);
        preview.stale(h('p', { class: 'muted small' }, t('editor_preview_stale')));
      } else if (error.code === 'unknown_binding_name' && error.location && error.location.field) {
        // a stage, touchpoint or filter the workspace lacks: at the binding's field
        showProblems(page, problemsBox, [{ path: error.location.field, message: error.message }]);
        preview.stale(h('p', { class: 'muted small' }, t('editor_preview_stale')));
      } else {
        preview.stale(errorBox(error, drawPreview));
      }
    }
  }

  async function save(overwrite) {
    saveButton.disabled = true;
    status.textContent = t('editor_saving');
    try {
      const answer = await api(mapPath(name), { method: 'PUT', body: pruned(state.doc), headers: { 'If-Match': overwrite ? '*' : etag } });
      etag = answer.etag;
      state.dirty = false;
      status.textContent = t('editor_saved', { n: answer.version.number });
      showProblems(page, problemsBox, []);
      versions.reload();
    } catch (error) {
      status.textContent = '';
      if (error.status === 412) await resolveConflict();
      else if (error.status === 400 && error.problems) {
        showProblems(page, problemsBox, error.problems);
        status.textContent = t('editor_invalid');
      } else clear(problemsBox, errorBox(error));
    } finally {
      saveButton.disabled = false;
    }
  }

  async function resolveConflict() {
    const choice = await conflictDialog();
    if (choice === 'overwrite') await save(true);
    else if (choice === 'reload') {
      const theirs = await api(mapPath(name));
      etag = theirs.etag;
      state.replace(theirs.document);
      state.dirty = false;
      status.textContent = t('editor_conflict_loaded');
    } else status.textContent = t('editor_unsaved');
  }

  const versions = versionsCard(name, canEdit ? (doc, n) => {
    state.replace(doc);
    status.textContent = t('versions_opened', { n });
  } : null);
  const page = h('div', { class: 'map-editor' });
  main.append(
    h('p', {}, h('a', { href: '#/maps' }, t('editor_back'))),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, heading), h('p', {}, canEdit ? t('editor_lead') : t('editor_read_only')))),
    page,
  );
  if (canEdit) {
    page.append(
      h('div', { class: 'editor-bar' }, undo, redo, saveButton, status),
      problemsBox,
      h('div', { class: 'editor-columns' }, formBox, h('div', { class: 'editor-side' }, preview.box, versions.box, exportsCard(name))),
      lanesBox,
    );
    drawForm();
    const keys = (e) => {
      if (!document.body.contains(page)) {
        document.removeEventListener('keydown', keys);
        return;
      }
      if (!(e.ctrlKey || e.metaKey)) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        state.undo();
      } else if (key === 'y' || (key === 'z' && e.shiftKey)) {
        e.preventDefault();
        state.redo();
      }
    };
    document.addEventListener('keydown', keys);
  } else {
    page.append(h('div', { class: 'editor-columns viewer' }, h('div', {}, preview.box, emotions.box), h('div', { class: 'editor-side' }, versions.box, exportsCard(name))));
  }
  afterChange();
  schedulePreview(0);
  if (got.problems && got.problems.length) showProblems(page, problemsBox, got.problems);
}
