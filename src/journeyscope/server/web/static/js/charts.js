// Charts are Apache ECharts (vendored, static/vendor/echarts): tooltips, legend toggles,
// and downloads of the picture (PNG, SVG) and of the data behind it (CSV).
import { lang, t } from './i18n.js';
import { download, h, toCsv } from './ui.js';

export const PALETTE = ['#1f4e79', '#2e8b57', '#f6b73c', '#c0392b', '#7d5ba6', '#16a3b8', '#e67e22', '#6c757d'];
const FONT = "'Be Vietnam Pro', 'Noto Sans', 'Segoe UI', system-ui, sans-serif";

// People who ask their system for less motion get charts drawn at once, not animated in.
const STILL = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

function themed(option) {
  return {
    color: PALETTE,
    textStyle: { fontFamily: FONT },
    animation: !STILL,
    animationDuration: 300,
    ...option,
  };
}

/**
 * Text for a tooltip formatter: ECharts puts a formatter's string into the tooltip as HTML,
 * so data in it (event names come from collected events) must be escaped. Its default
 * formatters escape by themselves.
 */
export function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let loading = null;

function script(src) {
  return new Promise((resolve, reject) => {
    const tag = h('script', { src });
    tag.addEventListener('load', resolve);
    tag.addEventListener('error', () => reject(new Error(`${src} did not load`)));
    document.head.append(tag);
  });
}

/**
 * ECharts (1.1 MB) loads on first need, not with the page: a page's data is fetched while
 * the library downloads and parses. The app starts it once the user is known.
 */
export function loadEcharts() {
  if (!loading) {
    loading = script('/static/vendor/echarts/echarts.min.js')
      .then(() => script('/static/vendor/echarts/langVI.js'))
      .then(() => window.echarts);
  }
  return loading;
}

function init(el, renderer = 'canvas') {
  return window.echarts.init(el, null, { renderer, locale: lang === 'vi' ? 'VI' : 'EN' });
}

/**
 * A chart with its download buttons.
 * option: an ECharts option; data: {columns, rows} for the CSV; name: file name stem.
 */
export function chartCard({ title, option, data, name, height = 360, onClick }) {
  const canvas = h('div', { class: 'chart', style: `height:${height}px`, role: 'img', 'aria-label': title });
  const full = themed(option);
  const buttons = h(
    'div',
    { class: 'downloads' },
    h('button', { type: 'button', class: 'small', onclick: () => downloadPng(chart, name) }, t('download_png')),
    h('button', { type: 'button', class: 'small', onclick: () => downloadSvg(full, canvas, name) }, t('download_svg')),
    data ? h('button', { type: 'button', class: 'small', onclick: () => download(`${name}.csv`, toCsv(data.columns, data.rows)) }, t('download_csv')) : null,
  );
  const box = h('figure', { class: 'chart-card' }, h('figcaption', {}, h('span', {}, title), buttons), canvas);
  let chart = null;
  // draw once the box is in the page (ECharts measures its container)
  loadEcharts().then(() => requestAnimationFrame(() => {
    chart = init(canvas);
    chart.setOption(full);
    if (onClick) chart.on('click', onClick);
    const resize = new ResizeObserver(() => chart && !chart.isDisposed() && chart.resize());
    resize.observe(canvas);
  }));
  return box;
}

function downloadPng(chart, name) {
  if (!chart) return;
  const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  fetch(url).then((r) => r.blob()).then((blob) => download(`${name}.png`, blob));
}

function downloadSvg(option, canvas, name) {
  const holder = h('div', { style: `width:${canvas.clientWidth}px;height:${canvas.clientHeight}px;position:absolute;left:-9999px` });
  document.body.append(holder);
  const svg = init(holder, 'svg');
  svg.setOption({ ...option, animation: false });
  const text = svg.renderToSVGString();
  svg.dispose();
  holder.remove();
  download(`${name}.svg`, new Blob([text], { type: 'image/svg+xml' }));
}
