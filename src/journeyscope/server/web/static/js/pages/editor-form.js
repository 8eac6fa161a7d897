// The editor's form: title, stages, personas, and the grid of lanes × stages whose cells
// hold touchpoints, actions, pain points, opportunities… Every input carries the document
// path it edits (data-path), so a problem the server reports lands at its field.
import { register, t } from '../i18n.js';
import { card, clear, h } from '../ui.js';
import { entryText, textOf, withEntryText, withText } from './editor-state.js';
import { boundList, isBound, mergeLines, touchpointList } from './editor-metrics.js';

register({
  en: {
    editor_basics: 'Title and description',
    editor_title_field: 'Title',
    editor_description_field: 'Description',
    editor_stages: 'Stages',
    editor_stage_name: 'Stage {n}',
    editor_add_stage: 'Add a stage',
    editor_new_stage: 'New stage',
    editor_remove_stage: 'Remove stage {name}',
    editor_move_left: 'Move stage {name} earlier',
    editor_personas: 'Personas',
    editor_persona_name: 'Name of persona {id}',
    editor_persona_library: 'from the persona library',
    editor_remove_persona: 'Remove persona {id}',
    editor_add_persona: 'Add a persona (id)',
    editor_add: 'Add',
    editor_no_personas: 'No persona yet: a map is about someone. Add one from the library by its id.',
    editor_lanes: 'Lanes and cells',
    editor_lanes_help: 'One entry per line. Touchpoints, pain points and opportunities are lanes too.',
    editor_lane: 'Lane',
    editor_cell_label: '{lane} at {stage}',
    editor_problems: 'Problems to fix before saving',
    editor_problem_at: '{path}: {message}',
  },
  vi: {
    editor_basics: 'Tiêu đề và mô tả',
    editor_title_field: 'Tiêu đề',
    editor_description_field: 'Mô tả',
    editor_stages: 'Giai đoạn',
    editor_stage_name: 'Giai đoạn {n}',
    editor_add_stage: 'Thêm giai đoạn',
    editor_new_stage: 'Giai đoạn mới',
    editor_remove_stage: 'Xoá giai đoạn {name}',
    editor_move_left: 'Đưa giai đoạn {name} lên trước',
    editor_personas: 'Chân dung khách hàng',
    editor_persona_name: 'Tên chân dung {id}',
    editor_persona_library: 'từ thư viện chân dung',
    editor_remove_persona: 'Xoá chân dung {id}',
    editor_add_persona: 'Thêm chân dung (mã)',
    editor_add: 'Thêm',
    editor_no_personas: 'Chưa có chân dung nào: bản đồ nói về một người cụ thể. Hãy thêm một chân dung từ thư viện theo mã.',
    editor_lanes: 'Hàng và ô',
    editor_lanes_help: 'Mỗi dòng là một mục. Điểm chạm, điểm đau và cơ hội cũng là các hàng.',
    editor_lane: 'Hàng',
    editor_cell_label: '{lane} tại {stage}',
    editor_problems: 'Các lỗi cần sửa trước khi lưu',
    editor_problem_at: '{path}: {message}',
  },
});

let counter = 0;
const uid = (stem) => `${stem}-${(counter += 1)}`;

function labelled(label, input) {
  input.id = input.id || uid('ed');
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
}

/** An input bound to a text of the document; `get(doc)` / `set(doc, value)`. */
function textInput(state, path, get, set, { multiline = false, label = null } = {}) {
  const input = h(multiline ? 'textarea' : 'input', {
    type: multiline ? null : 'text',
    dataset: { path },
    value: textOf(get(state.doc), state.language),
    rows: multiline ? 2 : null,
    'aria-label': label,
    onfocus: () => state.endStep(),
    oninput: (e) => state.change((doc) => set(doc, withText(get(doc), state.language, e.target.value)), path),
  });
  return input;
}

function basics(state) {
  const title = textInput(state, 'title', (d) => d.title, (d, v) => { d.title = v; });
  title.id = 'map-title';
  const description = textInput(state, 'description', (d) => d.description, (d, v) => { d.description = v || null; }, { multiline: true });
  return card(t('editor_basics'), labelled(t('editor_title_field'), title), labelled(t('editor_description_field'), description));
}

function nextStageId(doc) {
  const taken = new Set(doc.stages.map((s) => s.id));
  let n = doc.stages.length + 1;
  while (taken.has(`stage-${n}`)) n += 1;
  return `stage-${n}`;
}

function removeStage(doc, index) {
  const [gone] = doc.stages.splice(index, 1);
  for (const lane of doc.lanes || []) if (lane.cells) delete lane.cells[gone.id];
  for (const curve of doc.emotions || []) if (curve.points) delete curve.points[gone.id];
}

function stages(state, redraw) {
  const doc = state.doc;
  const rows = doc.stages.map((stage, i) => {
    const name = textInput(state, `stages.${i}.name`, (d) => d.stages[i].name, (d, v) => { d.stages[i].name = v; });
    const shown = textOf(stage.name, state.language);
    return h(
      'li',
      { class: 'stage-row' },
      labelled(t('editor_stage_name', { n: i + 1 }), name),
      h('span', { class: 'muted small stage-id', translate: 'no' }, stage.id),
      h('button', { type: 'button', class: 'small', disabled: i === 0, 'aria-label': t('editor_move_left', { name: shown }), onclick: () => { state.change((d) => { const [s] = d.stages.splice(i, 1); d.stages.splice(i - 1, 0, s); }); redraw(); } }, '↑'),
      h('button', { type: 'button', class: 'small', disabled: doc.stages.length < 2, 'aria-label': t('editor_remove_stage', { name: shown }), onclick: () => { state.change((d) => removeStage(d, i)); redraw(); } }, '✕'),
    );
  });
  const add = h('button', {
    type: 'button',
    class: 'small',
    id: 'add-stage',
    onclick: () => {
      state.change((d) => d.stages.push({ id: nextStageId(d), name: t('editor_new_stage') }));
      redraw();
    },
  }, t('editor_add_stage'));
  return card(t('editor_stages'), h('ol', { class: 'stage-list' }, rows), add);
}

function personas(state, redraw) {
  const doc = state.doc;
  const list = doc.personas || [];
  const rows = list.map((ref, i) => {
    const id = typeof ref === 'string' ? ref : ref.id;
    const remove = h('button', { type: 'button', class: 'small', 'aria-label': t('editor_remove_persona', { id }), onclick: () => { state.change((d) => d.personas.splice(i, 1)); redraw(); } }, '✕');
    if (typeof ref === 'string') {
      const known = state.personaNames[id];
      return h('li', { class: 'persona-row', dataset: { path: `personas.${i}` } }, h('span', { class: 'badge', translate: 'no' }, id), known ? h('span', { translate: 'no' }, textOf(known, state.language)) : null, h('span', { class: 'muted small' }, t('editor_persona_library')), remove);
    }
    const name = textInput(state, `personas.${i}.name`, (d) => d.personas[i].name, (d, v) => { d.personas[i].name = v; }, { label: t('editor_persona_name', { id }) });
    name.classList.add('persona-name');
    return h('li', { class: 'persona-row' }, h('span', { class: 'badge', translate: 'no' }, id), name, remove);
  });
  const input = h('input', { type: 'text', id: 'add-persona', autocomplete: 'off' });
  const add = h('button', {
    type: 'button',
    class: 'small',
    onclick: () => {
      const id = input.value.trim();
      if (!id) return;
      state.change((d) => { d.personas = [...(d.personas || []), id]; });
      redraw();
    },
  }, t('editor_add'));
  return card(
    t('editor_personas'),
    list.length ? h('ul', { class: 'persona-list' }, rows) : h('p', { class: 'muted' }, t('editor_no_personas')),
    h('div', { class: 'toolbar' }, labelled(t('editor_add_persona'), input), add),
  );
}

function laneTitle(lane, lang) {
  return lane.title ? textOf(lane.title, lang) : t(`lane_${lane.kind}`);
}

/** A cell as lines; lines map back onto the entries they came from (items keep channel). */
function cellEditor(state, laneIndex, stage) {
  const lang = state.language;
  const path = `lanes.${laneIndex}.cells.${stage.id}`;
  const entries = () => {
    const cell = (state.doc.lanes[laneIndex].cells || {})[stage.id];
    return cell === undefined ? [] : Array.isArray(cell) ? cell : [cell];
  };
  const texts = () => entries().filter((e) => !isBound(e)); // bound items: editor-metrics.js
  const area = h('textarea', {
    dataset: { path },
    rows: Math.max(3, texts().length * 2),
    'aria-label': t('editor_cell_label', { lane: laneTitle(state.doc.lanes[laneIndex], lang), stage: textOf(stage.name, lang) }),
    value: texts().map((e) => entryText(e, lang)).join('\n'),
    onfocus: () => state.endStep(),
    oninput: (e) => state.change((doc) => {
      const lane = doc.lanes[laneIndex];
      const old = entries();
      const lines = e.target.value.split('\n').map((l) => l.trim()).filter(Boolean);
      lane.cells = lane.cells || {};
      const next = mergeLines(old, lines, lang, withEntryText);
      if (!next.length) delete lane.cells[stage.id];
      else lane.cells[stage.id] = next;
    }, path),
  });
  return area;
}

function lanes(state, redraw) {
  const doc = state.doc;
  const lang = state.language;
  const head = h('tr', {}, h('th', { scope: 'col' }, t('editor_lane')), doc.stages.map((s) => h('th', { scope: 'col', translate: 'no' }, textOf(s.name, lang))));
  const body = (doc.lanes || []).map((lane, i) => h(
    'tr',
    {},
    h('th', { scope: 'row', translate: lane.title ? 'no' : null, dataset: { path: `lanes.${i}` } }, laneTitle(lane, lang)),
    doc.stages.map((stage) => h('td', {}, cellEditor(state, i, stage), state.bindingChoices ? boundList(state, i, stage, redraw, t('editor_cell_label', { lane: laneTitle(lane, lang), stage: textOf(stage.name, lang) })) : null)),
  ));
  return card(
    t('editor_lanes'),
    h('p', { class: 'muted small' }, t('editor_lanes_help')),
    h('div', { class: 'table-wrap lanes-grid' }, h('table', {}, h('thead', {}, head), h('tbody', {}, body))),
    touchpointList(state),
  );
}

/** The whole form; `redraw` draws it again after a change of its shape. */
export function renderForm(box, lanesBox, state, redraw, extra = []) {
  clear(box, basics(state), stages(state, redraw), personas(state, redraw), ...extra);
  clear(lanesBox, lanes(state, redraw));
}

/** Each problem at the field it names (the longest path with an input), the rest on top. */
export function showProblems(root, listBox, problems) {
  for (const old of root.querySelectorAll('.field-error[data-problem]')) old.remove();
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-errormessage');
  }
  const loose = [];
  const targets = [...root.querySelectorAll('[data-path]')];
  for (const problem of problems || []) {
    if (problem.severity === 'warning') continue;
    const path = (problem.path || '').replace(/\[(\d+)\]/g, '.$1'); // lanes[0].cells → lanes.0.cells
    let best = null;
    for (const el of targets) {
      const p = el.dataset.path;
      if ((path === p || path.startsWith(`${p}.`)) && (!best || p.length > best.dataset.path.length)) best = el;
    }
    if (!best) {
      loose.push(problem);
      continue;
    }
    const id = uid('problem');
    best.setAttribute('aria-invalid', 'true');
    best.setAttribute('aria-errormessage', id);
    best.after(h('p', { class: 'field-error', id, role: 'alert', dataset: { problem: path } }, problem.message));
  }
  clear(
    listBox,
    loose.length
      ? h('div', { class: 'state error', role: 'alert' }, h('strong', {}, t('editor_problems')), h('ul', {}, loose.map((p) => h('li', {}, t('editor_problem_at', { path: p.path || '–', message: p.message })))))
      : null,
  );
}
