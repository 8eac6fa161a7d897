// The map editor's document and its history (undo/redo), and the helpers that read and
// write the document's words: a text is plain or {en, vi}, and is edited in one language.
import { register } from '../i18n.js';

const LANES = {
  goals: ['Customer goals', 'Mục tiêu của khách hàng'],
  questions: ['Questions customers ask', 'Câu hỏi khách hàng đặt ra'],
  actions: ['Actions', 'Hành động'],
  touchpoints: ['Touchpoints', 'Điểm chạm'],
  channels: ['Channels', 'Kênh'],
  services: ['Services offered', 'Dịch vụ cung cấp'],
  devices: ['Devices', 'Thiết bị'],
  tasks: ['Tasks', 'Công việc'],
  motivations: ['Motivations', 'Động lực'],
  thoughts: ['Thoughts', 'Suy nghĩ'],
  emotions: ['Emotions', 'Cảm xúc'],
  pain_points: ['Pain points', 'Điểm đau'],
  pleasure_points: ['Pleasure points', 'Điểm hài lòng'],
  predicted_pain_points: ['Predicted pain points', 'Điểm đau dự kiến'],
  opportunities: ['Opportunities', 'Cơ hội'],
  owners: ['Owner / department', 'Bộ phận phụ trách'],
  kpis: ['KPIs', 'Chỉ số KPI'],
  customer_actions: ['Customer actions', 'Hành động của khách hàng'],
  frontstage: ['Frontstage actions', 'Hoạt động tiền phương'],
  backstage: ['Backstage actions', 'Hoạt động hậu trường'],
  support: ['Support processes', 'Quy trình hỗ trợ'],
  evidence: ['Physical evidence', 'Bằng chứng hữu hình'],
  notes: ['Notes', 'Ghi chú'],
};
const TYPES = {
  current_state: ['Current state', 'Hiện trạng'],
  day_in_the_life: ['Day in the life', 'Một ngày của khách hàng'],
  future_state: ['Future state', 'Trạng thái tương lai'],
  service_blueprint: ['Service blueprint', 'Bản thiết kế dịch vụ'],
};
const words = { en: {}, vi: {} };
for (const [kind, [en, vi]] of Object.entries(LANES)) {
  words.en[`lane_${kind}`] = en;
  words.vi[`lane_${kind}`] = vi;
}
for (const [kind, [en, vi]] of Object.entries(TYPES)) {
  words.en[`maptype_${kind}`] = en;
  words.vi[`maptype_${kind}`] = vi;
}
register(words);

export const MAP_TYPES = Object.keys(TYPES);
export const EMOTION_MIN = -2;
export const EMOTION_MAX = 2;

/** A text's words in `lang`, else in the other language. */
export function textOf(value, lang) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  const other = lang === 'vi' ? 'en' : 'vi';
  return value[lang] || value[other] || '';
}

/** `old` with its words in `lang` replaced: plain stays plain, {en, vi} keeps the other. */
export function withText(old, lang, words) {
  if (old && typeof old === 'object' && !Array.isArray(old)) {
    const next = { ...old, [lang]: words };
    if (!words) delete next[lang];
    return next;
  }
  return words;
}

/** A cell entry's words: plain, {en, vi} or an item {text, channel, tags}. */
export function entryText(entry, lang) {
  return entry && typeof entry === 'object' && 'text' in entry ? textOf(entry.text, lang) : textOf(entry, lang);
}

export function withEntryText(entry, lang, words) {
  if (entry && typeof entry === 'object' && 'text' in entry) return { ...entry, text: withText(entry.text, lang, words) };
  return withText(entry, lang, words);
}

export function score(point) {
  return point && typeof point === 'object' ? point.score : point;
}

export function withScore(point, value) {
  return point && typeof point === 'object' ? { ...point, score: value } : value;
}

/** The document without null fields (a null is an absent field, and YAML stays tidy). */
export function pruned(value) {
  if (Array.isArray(value)) return value.map(pruned);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== null && inner !== undefined) out[key] = pruned(inner);
    return out;
  }
  return value;
}

const clone = (doc) => JSON.parse(JSON.stringify(doc));

/**
 * The document being edited with its history. change(mutate, key): edits with the same key
 * one after another (typing in one field, dragging one point) are one step to undo.
 */
export class EditorState {
  constructor(doc, onChange) {
    this.doc = clone(doc);
    this.past = [];
    this.future = [];
    this.lastKey = null;
    this.onChange = onChange;
    this.dirty = false;
    this.personaNames = {}; // library persona id -> name, for showing references
  }

  change(mutate, key = null) {
    if (!key || key !== this.lastKey) {
      this.past.push(clone(this.doc));
      if (this.past.length > 200) this.past.shift();
      this.future = [];
    }
    this.lastKey = key;
    mutate(this.doc);
    this.dirty = true;
    this.onChange({ redraw: false });
  }

  /** Replace the whole document (a version opened, theirs reloaded) as one undoable step. */
  replace(doc, { undoable = true } = {}) {
    if (undoable) {
      this.past.push(clone(this.doc));
      this.future = [];
    }
    this.doc = clone(doc);
    this.lastKey = null;
    this.dirty = undoable;
    this.onChange({ redraw: true });
  }

  endStep() {
    this.lastKey = null;
  }

  undo() {
    if (!this.past.length) return;
    this.future.push(clone(this.doc));
    this.doc = this.past.pop();
    this.lastKey = null;
    this.dirty = true;
    this.onChange({ redraw: true });
  }

  redo() {
    if (!this.future.length) return;
    this.past.push(clone(this.doc));
    this.doc = this.future.pop();
    this.lastKey = null;
    this.dirty = true;
    this.onChange({ redraw: true });
  }

  get language() {
    return this.doc.language === 'en' ? 'en' : 'vi';
  }
}
