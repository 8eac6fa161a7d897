// Live numbers in map cells: a cell item may carry `metric: {name, stage, touchpoint, where}`
// and the preview (the server's `map render -w`) fills it from the workspace for a period.
// Here: the picker of what a bound item shows, its expression (=stage_reach(awareness)),
// and the fields a binding problem lands at (data-path ends in .metric.<field>).
import { api, wsPath } from '../api.js';
import { lang as uiLang, register, t } from '../i18n.js';
import { h } from '../ui.js';
import { textOf, withText } from './editor-state.js';

register({
  en: {
    metrics_add: 'Live number',
    metrics_add_label: 'Add a live number to {cell}',
    metrics_edit: 'Edit',
    metrics_close: 'Close',
    metrics_remove: 'Remove',
    metrics_bound: 'Live number',
    metrics_metric: 'Metric',
    metrics_stage: 'Stage of the data',
    metrics_cell_stage: 'The cell’s stage ({stage})',
    metrics_touchpoint: 'Touchpoint',
    metrics_touchpoint_optional: 'Optional: leave empty for all feedback.',
    metrics_touchpoint_help: 'As the Touchpoints page names it, e.g. web:/cart.',
    metrics_where: 'Only customers matching (filter)',
    metrics_where_help: 'Optional, e.g. channel = zalo.',
    metrics_where_needed: 'Required, e.g. channel = zalo.',
    metrics_label: 'Label (optional)',
    metrics_label_help: 'Empty: the metric’s name.',
  },
  vi: {
    metrics_add: 'Số liệu trực tiếp',
    metrics_add_label: 'Thêm số liệu trực tiếp vào {cell}',
    metrics_edit: 'Sửa',
    metrics_close: 'Đóng',
    metrics_remove: 'Xoá',
    metrics_bound: 'Số liệu trực tiếp',
    metrics_metric: 'Chỉ số',
    metrics_stage: 'Giai đoạn của dữ liệu',
    metrics_cell_stage: 'Giai đoạn của ô ({stage})',
    metrics_touchpoint: 'Điểm chạm',
    metrics_touchpoint_optional: 'Không bắt buộc: để trống để tính mọi phản hồi.',
    metrics_touchpoint_help: 'Theo tên trên trang Điểm chạm, ví dụ web:/cart.',
    metrics_where: 'Chỉ khách hàng thoả (bộ lọc)',
    metrics_where_help: 'Không bắt buộc, ví dụ channel = zalo.',
    metrics_where_needed: 'Bắt buộc, ví dụ channel = zalo.',
    metrics_label: 'Nhãn (không bắt buộc)',
    metrics_label_help: 'Để trống: dùng tên chỉ số.',
  },
});

const opened = new Set(); // paths of bound items whose form is open (kept across redraws)
let counter = 0;
const uid = (stem) => `${stem}-${(counter += 1)}`;

/** What the pickers offer: the server's metric registry, the stage model's stages, the
 * workspace's touchpoints. A missing list leaves its field free text. The touchpoints come
 * from a report that takes seconds on a large workspace, so the editor does not wait for
 * them: the suggestion list fills in when they arrive. */
export async function loadChoices(doc) {
  const model = encodeURIComponent(doc.stage_model || 'retail5');
  const [metrics, stageModel] = await Promise.all([
    api(wsPath('/maps/metrics')),
    api(wsPath(`/stage-models/${model}`)).catch(() => null),
  ]);
  const choices = { metrics, stages: stageModel ? stageModel.stages : [], touchpoints: [], listId: uid('touchpoint-names') };
  api(wsPath('/touchpoints'))
    .then((report) => {
      choices.touchpoints = report.touchpoints.map((r) => r.touchpoint);
      const list = document.getElementById(choices.listId);
      if (list) list.replaceChildren(...choices.touchpoints.map((name) => h('option', { value: name })));
    })
    .catch(() => {});
  return choices;
}

export const isBound = (entry) => Boolean(entry && typeof entry === 'object' && !Array.isArray(entry) && entry.metric);

export function cellEntries(doc, laneIndex, stageId) {
  const cell = (doc.lanes[laneIndex].cells || {})[stageId];
  return cell === undefined ? [] : Array.isArray(cell) ? cell : [cell];
}

/** The compact form `map render` shows unevaluated: =stage_reach(awareness, where …). */
export function expression(metric, cellStage, need) {
  const stage = metric.stage || (need === 'stage' ? cellStage : null);
  const args = [stage, metric.touchpoint].filter(Boolean);
  if (metric.where) args.push(`where ${metric.where}`);
  return `=${metric.name || '?'}(${args.join(', ')})`;
}

/** The binding with only the fields its metric takes (a stage for a stage metric, ...). */
function fitted(metric, def) {
  const need = def ? def.needs : 'none';
  const next = { name: metric.name };
  if (need === 'stage' && metric.stage) next.stage = metric.stage;
  if ((need === 'touchpoint' || (def && def.touchpoint_optional)) && metric.touchpoint) next.touchpoint = metric.touchpoint;
  if ((!def || def.where_allowed) && metric.where) next.where = metric.where;
  return next;
}

function labelled(label, input, help) {
  input.id = input.id || uid('metric');
  const helpId = help ? `${input.id}-help` : null;
  if (helpId) input.setAttribute('aria-describedby', helpId);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, help ? h('small', { id: helpId }, help) : null);
}

function boundItem(ctx, k) {
  const { state, laneIndex, stage, choices, redraw } = ctx;
  const path = `lanes.${laneIndex}.cells.${stage.id}.${k}`;
  const entry = () => cellEntries(state.doc, laneIndex, stage.id)[k];
  const defOf = (name) => (choices.metrics || []).find((m) => m.name === name);
  const metric = entry().metric;
  const def = defOf(metric.name);
  const shownExpr = () => expression(entry().metric, stage.id, (defOf(entry().metric.name) || {}).needs);
  const exprNode = h('code', { class: 'bound-expression', translate: 'no', dataset: { path: `${path}.metric` } }, shownExpr());
  const labelText = textOf(entry().text, state.language);
  const isOpen = opened.has(path);
  const setMetric = (mutate, key) => state.change((doc) => {
    const list = cellEntries(doc, laneIndex, stage.id);
    const item = { ...list[k], metric: { ...list[k].metric } };
    mutate(item);
    item.metric = fitted(item.metric, defOf(item.metric.name));
    list[k] = item;
    doc.lanes[laneIndex].cells[stage.id] = list;
  }, `${path}.metric.${key}`);
  const afterEdit = () => { exprNode.textContent = shownExpr(); };
  const toggle = h('button', { type: 'button', class: 'small', 'aria-expanded': String(isOpen), onclick: () => {
    if (opened.has(path)) opened.delete(path);
    else opened.add(path);
    box.replaceWith(boundItem(ctx, k));
  } }, isOpen ? t('metrics_close') : t('metrics_edit'));
  const remove = h('button', { type: 'button', class: 'small', onclick: () => {
    opened.delete(path);
    state.change((doc) => {
      const list = cellEntries(doc, laneIndex, stage.id).filter((_, i) => i !== k);
      if (list.length) doc.lanes[laneIndex].cells[stage.id] = list;
      else delete doc.lanes[laneIndex].cells[stage.id];
    });
    redraw();
  } }, t('metrics_remove'));
  const head = h('div', { class: 'bound-head' }, h('span', { class: 'badge' }, t('metrics_bound')), labelText ? h('span', { translate: 'no' }, labelText) : null, exprNode);
  const box = h('div', { class: 'bound-item', dataset: { bound: path } }, head, h('div', { class: 'toolbar' }, toggle, remove));
  if (!isOpen) return box;

  const names = h('select', { class: 'metric-name', dataset: { path: `${path}.metric.name` }, onchange: (e) => {
    setMetric((item) => { item.metric.name = e.target.value; }, 'name');
    const again = boundItem(ctx, k);
    box.replaceWith(again);
    again.querySelector('select.metric-name').focus();
  } }, (choices.metrics || []).map((m) => h('option', { value: m.name, selected: m.name === metric.name }, `${m.label[uiLang] || m.label.en} · ${m.name}`)));
  if (!def) names.append(h('option', { value: metric.name, selected: true }, metric.name));
  const fields = [labelled(t('metrics_metric'), names)];
  const need = def ? def.needs : 'none';
  if (need === 'stage') {
    const stages = h('select', { class: 'metric-stage', dataset: { path: `${path}.metric.stage` }, onchange: (e) => {
      setMetric((item) => { item.metric.stage = e.target.value || null; }, 'stage');
      afterEdit();
    } },
    h('option', { value: '' }, t('metrics_cell_stage', { stage: stage.id })),
    choices.stages.map((s) => h('option', { value: s.id, selected: s.id === metric.stage }, `${textOf(s.name, uiLang)} (${s.id})`)));
    if (metric.stage && !choices.stages.some((s) => s.id === metric.stage)) stages.append(h('option', { value: metric.stage, selected: true }, metric.stage));
    fields.push(labelled(t('metrics_stage'), stages));
  }
  if (need === 'touchpoint' || (def && def.touchpoint_optional)) {
    const input = h('input', { type: 'text', class: 'metric-touchpoint', list: choices.listId, autocomplete: 'off', spellcheck: 'false', value: metric.touchpoint || '', dataset: { path: `${path}.metric.touchpoint` }, onfocus: () => state.endStep(), oninput: (e) => {
      setMetric((item) => { item.metric.touchpoint = e.target.value.trim() || null; }, 'touchpoint');
      afterEdit();
    } });
    fields.push(labelled(t('metrics_touchpoint'), input, need === 'touchpoint' ? t('metrics_touchpoint_help') : t('metrics_touchpoint_optional')));
  }
  if (!def || def.where_allowed) {
    const input = h('input', { type: 'text', class: 'metric-where', autocomplete: 'off', spellcheck: 'false', value: metric.where || '', dataset: { path: `${path}.metric.where` }, onfocus: () => state.endStep(), oninput: (e) => {
      setMetric((item) => { item.metric.where = e.target.value.trim() || null; }, 'where');
      afterEdit();
    } });
    fields.push(labelled(t('metrics_where'), input, need === 'where' ? t('metrics_where_needed') : t('metrics_where_help')));
  }
  const label = h('input', { type: 'text', class: 'metric-label', value: labelText, dataset: { path: `${path}.text` }, onfocus: () => state.endStep(), oninput: (e) => state.change((doc) => {
    const list = cellEntries(doc, laneIndex, stage.id);
    const words = e.target.value;
    const item = { ...list[k], text: withText(list[k].text, state.language, words) };
    if (!words && (!item.text || typeof item.text === 'string' || !Object.keys(item.text).length)) delete item.text;
    list[k] = item;
    doc.lanes[laneIndex].cells[stage.id] = list;
  }, `${path}.text`) });
  fields.push(labelled(t('metrics_label'), label, t('metrics_label_help')));
  box.append(h('div', { class: 'bound-form' }, fields));
  return box;
}

/** The bound items of one cell, and (for editors) the button that adds one. */
export function boundList(state, laneIndex, stage, redraw, cellLabel) {
  const choices = state.bindingChoices || { metrics: [], stages: [], touchpoints: [], listId: null };
  const ctx = { state, laneIndex, stage, choices, redraw };
  const items = cellEntries(state.doc, laneIndex, stage.id).map((e, k) => (isBound(e) ? boundItem(ctx, k) : null));
  const add = h('button', { type: 'button', class: 'small add-metric', 'aria-label': t('metrics_add_label', { cell: cellLabel }), onclick: () => {
    const k = cellEntries(state.doc, laneIndex, stage.id).length;
    state.change((doc) => {
      const lane = doc.lanes[laneIndex];
      lane.cells = lane.cells || {};
      lane.cells[stage.id] = [...cellEntries(doc, laneIndex, stage.id), { metric: { name: 'stage_reach' } }];
    });
    opened.add(`lanes.${laneIndex}.cells.${stage.id}.${k}`);
    redraw();
  } }, `+ ${t('metrics_add')}`);
  return h('div', { class: 'bound-list' }, items, add);
}

/** The touchpoints the workspace knows, offered while typing (one list per page). */
export function touchpointList(state) {
  const choices = state.bindingChoices;
  if (!choices || !choices.listId) return null;
  return h('datalist', { id: choices.listId }, choices.touchpoints.map((name) => h('option', { value: name })));
}

/** Cell lines back onto the cell's entries: bound items stay where they are, text entries
 * take the lines in order (keeping their channel and tags), extra lines are appended. */
export function mergeLines(old, lines, lang, withEntryText) {
  const next = [];
  let line = 0;
  for (const entry of old) {
    if (isBound(entry)) next.push(entry);
    else if (line < lines.length) next.push(withEntryText(entry, lang, lines[line++]));
  }
  while (line < lines.length) next.push(lines[line++]);
  return next;
}
