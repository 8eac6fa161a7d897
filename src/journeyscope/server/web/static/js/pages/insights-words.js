// The words of the Insights page and of the overview's "What changed" card: the one-sentence
// headline of a finding says exactly what `journeyscope insights` prints
// (src/journeyscope/insights/words.py; the browser test compares them), numbers formatted
// as Python's format_number does (fixed decimals, halves to even).
import { fmt, lang, register, t } from '../i18n.js';
import { h } from '../ui.js';

register({
  en: {
    ins_conversion_down: 'Conversion {step} fell from {a} to {b}',
    ins_conversion_up: 'Conversion {step} rose from {a} to {b}',
    ins_loop: '{rate} of customers at {step} were sent back to {back}',
    ins_new_event: 'New event {event}: {obs} customers/day (usually {exp})',
    ins_spike: 'Spike in {event}: {obs} customers/day (usually {exp})',
    ins_crowd: '{n} new customers came but only {rate} bought (usually {base})',
    ins_cohort: 'First buyers of this period came back {rate} (other periods {base})',
    ins_kind_conversion: 'Step conversion',
    ins_kind_loop: 'Sent back a step',
    ins_kind_new_event: 'New event',
    ins_kind_spike: 'Spike',
    ins_kind_spike_not_converting: 'Crowd that did not buy',
    ins_kind_cohort: 'Cohort that came back less',
    ins_everyone: 'everyone',
    ins_empty_value: '(empty)',
    ins_days: '{n} days',
    ins_day: '1 day',
    ins_period: '{from} – {to}',
    ins_customers_n: '{n} customers',
    ins_points: '{n} points',
    ins_first_event: 'first event (new customers)',
    ins_home_title: 'What changed',
    ins_home_more: 'See every change',
    ins_home_nothing: 'Nothing changed significantly in {n} days of data.',
    ins_home_no_data: 'No data to compare yet.',
    ins_home_affected: '{n} customers affected',
  },
  vi: {
    ins_conversion_down: 'Chuyển đổi {step} giảm từ {a} xuống {b}',
    ins_conversion_up: 'Chuyển đổi {step} tăng từ {a} lên {b}',
    ins_loop: '{rate} khách ở bước {step} bị đưa quay lại {back}',
    ins_new_event: 'Sự kiện mới {event}: {obs} khách/ngày (thường {exp})',
    ins_spike: 'Tăng đột biến {event}: {obs} khách/ngày (thường {exp})',
    ins_crowd: '{n} khách mới đến nhưng chỉ {rate} mua (thường {base})',
    ins_cohort: 'Khách mua lần đầu trong kỳ này quay lại {rate} (các kỳ khác {base})',
    ins_kind_conversion: 'Chuyển đổi của một bước',
    ins_kind_loop: 'Bị đưa quay lại bước trước',
    ins_kind_new_event: 'Sự kiện mới',
    ins_kind_spike: 'Tăng đột biến',
    ins_kind_spike_not_converting: 'Nhóm khách đến mà không mua',
    ins_kind_cohort: 'Nhóm khách quay lại ít hơn',
    ins_everyone: 'tất cả',
    ins_empty_value: '(trống)',
    ins_days: '{n} ngày',
    ins_day: '1 ngày',
    ins_period: '{from} – {to}',
    ins_customers_n: '{n} khách hàng',
    ins_points: '{n} điểm %',
    ins_first_event: 'sự kiện đầu tiên (khách mới)',
    ins_home_title: 'Điều gì đã thay đổi',
    ins_home_more: 'Xem mọi thay đổi',
    ins_home_nothing: 'Không có thay đổi đáng kể nào trong {n} ngày dữ liệu.',
    ins_home_no_data: 'Chưa có dữ liệu để so sánh.',
    ins_home_affected: '{n} khách hàng bị ảnh hưởng',
  },
});

/** A data value (event, step, field): shown as is, never translated. The overview loads
 * this module, so it does not pull in the dashboards' words. */
function data(text) {
  return h('span', { translate: 'no' }, text === null || text === undefined ? '–' : String(text));
}

const locale = () => (lang === 'vi' ? 'vi-VN' : 'en-GB');

/** x rounded to `digits` as Python's f"{x:.{digits}f}" does: an exact half goes to even. */
function pyRound(x, digits) {
  const exact = Math.abs(x).toFixed(100);
  const [whole, frac] = exact.split('.');
  const rest = frac.slice(digits);
  if (!/^50*$/.test(rest)) return Number(x.toFixed(digits));
  const kept = `${whole}${frac.slice(0, digits)}`;
  const even = Number(kept[kept.length - 1]) % 2 === 0;
  const down = Number(`${whole}.${frac.slice(0, digits) || '0'}`);
  const value = even ? down : down + 10 ** -digits;
  return x < 0 ? -value : value;
}

/** A number with exactly `digits` decimals, grouped for the language (format_number). */
export function fixed(x, digits = 0) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: true }).format(pyRound(x, digits));
}

/** A rate as the headline says it: 95.0% / 95,0% (words.py's _pct). */
export function pct(x) {
  return x === null || x === undefined ? '–' : `${fixed(x * 100, 1)}%`;
}

/** The finding's one sentence, its data values marked not to translate. */
export function headline(f) {
  const m = f.metric || {};
  const down = f.direction === 'down';
  if (f.kind === 'conversion') {
    const vars = { step: `${m.from_step} → ${m.to_step}` };
    return sentence(down ? 'ins_conversion_down' : 'ins_conversion_up', vars, { a: pct(f.before.rate), b: pct(f.during.rate) });
  }
  if (f.kind === 'loop') return sentence('ins_loop', { step: m.step, back: m.back_to }, { rate: pct(f.during.rate) });
  if (f.kind === 'spike' || f.kind === 'new_event') {
    const numbers = { obs: fixed(f.observed_per_day || 0, 1), exp: fixed(f.expected_per_day || 0, 1) };
    return sentence(f.kind === 'new_event' ? 'ins_new_event' : 'ins_spike', { event: m.event }, numbers);
  }
  if (f.kind === 'spike_not_converting') {
    return sentence('ins_crowd', {}, { n: fixed(f.during.customers), rate: pct(f.during.rate), base: pct(f.baseline.rate) });
  }
  return sentence('ins_cohort', {}, { rate: pct(f.during.rate), base: pct(f.baseline.rate) });
}

/** t(key) with `values` as words and `dataVars` as data (event and step names). */
export function sentence(key, dataVars, values = {}) {
  const marked = Object.fromEntries(Object.keys(dataVars).map((k) => [k, `{${k}}`]));
  // the text keeps {step} etc.; each data value goes in as a translate=no span
  let rest = t(key, { ...values, ...marked });
  const out = [];
  for (;;) {
    const match = rest.match(/\{(\w+)\}/);
    if (!match || !(match[1] in dataVars)) {
      out.push(rest);
      break;
    }
    out.push(rest.slice(0, match.index), data(dataVars[match[1]]));
    rest = rest.slice(match.index + match[0].length);
  }
  return out.filter((part) => part !== '');
}

/** "platform = android" (data), or "everyone". */
export function whereOf(slice) {
  if (!slice) return h('span', {}, t('ins_everyone'));
  const value = slice.value === '' ? t('ins_empty_value') : slice.value;
  return h('span', { class: 'ins-slice' }, data(slice.field), ' = ', slice.value === '' ? h('span', {}, value) : data(value));
}

/** "9 Mar 2026 – 29 Mar 2026 (21 days)": days of the workspace's time zone. */
export function periodOf(period) {
  const span = t('ins_period', { from: fmt.date(period.from), to: fmt.date(period.to) });
  if (!period.days) return span;
  return `${span} (${period.days === 1 ? t('ins_day') : t('ins_days', { n: fmt.int(period.days) })})`;
}

/** What moved: a step pair, a step sent back, or an event. */
export function whatOf(f) {
  const m = f.metric || {};
  if (m.from_step) return data(`${m.from_step} → ${m.to_step}`);
  if (m.step) return data(`${m.step} → ${m.back_to}`);
  if (f.kind === 'spike_not_converting') return h('span', {}, t('ins_first_event'));
  return data(m.event);
}

export function kindLabel(kind) {
  const known = ['conversion', 'loop', 'new_event', 'spike', 'spike_not_converting', 'cohort'];
  return known.includes(kind) ? t(`ins_kind_${kind}`) : kind;
}

/** A change of a rate in percentage points, signed: "−77.4 points". */
export function points(x) {
  if (x === null || x === undefined) return '–';
  const sign = x > 0 ? '+' : x < 0 ? '−' : '';
  return t('ins_points', { n: `${sign}${fixed(Math.abs(x) * 100, 1)}` });
}

/** The headline as plain text (for a title attribute or a chart name). */
export function headlineText(f) {
  return headline(f).map((part) => (typeof part === 'string' ? part : part.textContent)).join('');
}
