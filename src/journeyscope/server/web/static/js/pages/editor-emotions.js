// Emotions: one curve per persona, a score per stage from −2 (very negative) to +2 (very
// positive). Drawn with ECharts; each point has a handle (an ECharts `graphic` circle) the
// user drags up or down. The same values are number inputs, for the keyboard.
import { fmt, lang, register, t } from '../i18n.js';
import { card, h } from '../ui.js';
import { EMOTION_MAX, EMOTION_MIN, score, textOf, withScore } from './editor-state.js';
import { PALETTE, loadEcharts } from '../charts.js';

register({
  en: {
    editor_emotions: 'Emotions',
    editor_emotions_help: 'Drag a point up or down, or type a score from −2 (very negative) to +2 (very positive).',
    editor_emotion_chart: 'Emotion curve: score per stage',
    editor_emotion_input: 'Emotion of {persona} at {stage} (score −2 to +2)',
    editor_emotion_of: 'Curve of {persona}',
    editor_add_curve: 'Add an emotion curve for {persona}',
    editor_no_curve: 'No emotion curve yet. Add a persona first, then a curve for them.',
    editor_score: 'score',
  },
  vi: {
    editor_emotions: 'Cảm xúc',
    editor_emotions_help: 'Kéo một điểm lên hoặc xuống, hoặc nhập điểm từ −2 (rất tiêu cực) đến +2 (rất tích cực).',
    editor_emotion_chart: 'Đường cảm xúc: điểm theo từng giai đoạn',
    editor_emotion_input: 'Cảm xúc của {persona} tại {stage} (điểm từ −2 đến +2)',
    editor_emotion_of: 'Đường của {persona}',
    editor_add_curve: 'Thêm đường cảm xúc cho {persona}',
    editor_no_curve: 'Chưa có đường cảm xúc. Hãy thêm chân dung trước, rồi thêm đường cho chân dung đó.',
    editor_score: 'điểm',
  },
});

const clamp = (v) => Math.min(EMOTION_MAX, Math.max(EMOTION_MIN, v));
const round = (v) => Math.round(v * 10) / 10;

let library = {};

function personaName(doc, id, language) {
  const found = (doc.personas || []).find((p) => typeof p === 'object' && p.id === id);
  if (found) return textOf(found.name, language);
  return library[id] ? textOf(library[id], language) : id;
}

function seriesOf(doc, language) {
  return (doc.emotions || []).map((curve) => ({
    name: personaName(doc, curve.persona, language),
    type: 'line',
    smooth: 0.3,
    symbolSize: 12,
    data: doc.stages.map((s) => {
      const v = score((curve.points || {})[s.id]);
      return v === undefined || v === null ? null : v;
    }),
  }));
}

/**
 * The emotions card. `state` is the editor's document; after a change, `changed()` asks
 * for a new preview. Returns {box, refresh} — refresh() redraws after an undo.
 */
export function emotionsCard(state, changed, { editable = true } = {}) {
  library = state.personaNames;
  const canvas = h('div', { id: 'emotion-chart', class: 'chart', style: 'height:280px', role: 'img', 'aria-label': t('editor_emotion_chart') });
  const inputs = h('div', { class: 'emotion-inputs' });
  const box = card(t('editor_emotions'), h('p', { class: 'muted small' }, t('editor_emotions_help')), canvas, inputs);
  let chart = null;

  function setPoint(ci, si, value, key) {
    const stageId = state.doc.stages[si].id;
    state.change((doc) => {
      const curve = doc.emotions[ci];
      curve.points = curve.points || {};
      curve.points[stageId] = withScore(curve.points[stageId], value);
    }, key);
  }

  function placeHandles() {
    if (!chart || chart.isDisposed()) return;
    const doc = state.doc;
    const graphic = [];
    (doc.emotions || []).forEach((curve, ci) => {
      doc.stages.forEach((stage, si) => {
        const v = score((curve.points || {})[stage.id]);
        if (v === undefined || v === null) return;
        const [x, y] = chart.convertToPixel('grid', [si, v]);
        graphic.push({
          id: `handle-${ci}-${si}`,
          type: 'circle',
          x,
          y,
          shape: { cx: 0, cy: 0, r: 11 },
          invisible: true,
          draggable: editable,
          cursor: editable ? 'ns-resize' : 'default',
          z: 100,
          ondrag() {
            this.x = x; // up and down only
            const [, value] = chart.convertFromPixel('grid', [x, this.y]);
            const next = round(clamp(value));
            setPoint(ci, si, next, `emotion-${ci}-${si}`);
            chart.setOption({ series: seriesOf(state.doc, state.language) });
            const input = inputs.querySelector(`[data-point="${ci}-${si}"]`);
            if (input) input.value = String(next);
          },
          ondragend() {
            state.endStep();
            placeHandles();
            changed();
          },
        });
      });
    });
    chart.setOption({ graphic }, { replaceMerge: ['graphic'] });
  }

  function drawChart() {
    if (!chart) return;
    const doc = state.doc;
    chart.setOption({
      color: PALETTE,
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '–' : `${fmt.num(v, 1)} ${t('editor_score')}`) },
      legend: { top: 0 },
      grid: { left: 40, right: 24, top: 44, bottom: 8, containLabel: true },
      xAxis: { type: 'category', boundaryGap: true, axisLabel: { interval: 0, width: 70, overflow: 'break', lineHeight: 14 }, data: doc.stages.map((s) => textOf(s.name, state.language)) },
      yAxis: { type: 'value', min: EMOTION_MIN, max: EMOTION_MAX, interval: 1 },
      series: seriesOf(doc, state.language),
    }, { replaceMerge: ['series'] });
    placeHandles();
  }

  function drawInputs() {
    const doc = state.doc;
    inputs.replaceChildren();
    const curves = doc.emotions || [];
    curves.forEach((curve, ci) => {
      const who = personaName(doc, curve.persona, state.language);
      const row = h('fieldset', { class: 'emotion-row', dataset: { path: `emotions.${ci}` } }, h('legend', {}, t('editor_emotion_of', { persona: '' }), h('span', { translate: 'no' }, who)));
      doc.stages.forEach((stage, si) => {
        const v = score((curve.points || {})[stage.id]);
        const input = h('input', {
          type: 'number', min: EMOTION_MIN, max: EMOTION_MAX, step: 0.1,
          value: v === undefined || v === null ? '' : String(v),
          disabled: !editable,
          dataset: { point: `${ci}-${si}`, path: `emotions.${ci}.points.${stage.id}` },
          'aria-label': t('editor_emotion_input', { persona: who, stage: textOf(stage.name, state.language) }),
          onfocus: () => state.endStep(),
          onchange: (e) => {
            const value = Number.parseFloat(e.target.value);
            if (Number.isNaN(value)) return;
            setPoint(ci, si, round(clamp(value)), `emotion-${ci}-${si}`);
            e.target.value = String(round(clamp(value)));
            drawChart();
            changed();
          },
        });
        row.append(h('label', { class: 'emotion-stage' }, h('span', { translate: 'no' }, textOf(stage.name, state.language)), input));
      });
      inputs.append(row);
    });
    const used = new Set(curves.map((c) => c.persona));
    const free = (doc.personas || []).map((p) => (typeof p === 'string' ? p : p.id)).filter((id) => !used.has(id));
    if (!curves.length && !free.length) inputs.append(h('p', { class: 'muted' }, t('editor_no_curve')));
    if (editable) {
      for (const id of free) {
        inputs.append(h('button', {
          type: 'button',
          class: 'small',
          onclick: () => {
            state.change((d) => { d.emotions = [...(d.emotions || []), { persona: id, points: Object.fromEntries(d.stages.map((s) => [s.id, 0])) }]; });
            refresh();
            changed();
          },
        }, t('editor_add_curve', { persona: personaName(doc, id, state.language) })));
      }
    }
  }

  function refresh() {
    drawInputs();
    drawChart();
  }

  loadEcharts().then((echarts) => requestAnimationFrame(() => {
    chart = echarts.init(canvas, null, { renderer: 'canvas', locale: lang === 'vi' ? 'VI' : 'EN' });
    drawChart();
    new ResizeObserver(() => {
      if (chart && !chart.isDisposed()) {
        chart.resize();
        placeHandles();
      }
    }).observe(canvas);
  }));
  drawInputs();
  return { box, refresh };
}
