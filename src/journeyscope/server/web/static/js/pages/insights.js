// Insights ("What changed"): what changed significantly, found without being told where —
// GET /insights, the CLI's `journeyscope insights --json`. The query (period, "changed since
// my last look", sensitivity, filter, breakdown fields) lives in the address like every
// dashboard's; findings are ranked cards (pages/insights-card.js).
import { api, wsPath } from '../api.js';
import { fmt, lang, register, t } from '../i18n.js';
import { empty, field, h } from '../ui.js';
import { filterForm, input, pageHead, readQuery, reportBox, select } from './dashboards-common.js';
import { findingCard } from './insights-card.js';
import { periodOf, sentence } from './insights-words.js';

register({
  en: {
    ins_title: 'What changed',
    ins_lead: 'Changes found in the data by themselves, biggest first: you do not say where to look.',
    ins_changes_since: 'Changed since my last look (date)',
    ins_changes_since_help: 'Only changes still going on or ending after this day.',
    ins_sensitivity: 'Sensitivity',
    ins_sensitivity_default: 'As the workspace says',
    ins_sensitivity_low: 'Low: only large, near-certain changes',
    ins_sensitivity_medium: 'Medium',
    ins_sensitivity_high: 'High: smaller changes too (more false alarms)',
    ins_by: 'Break down by',
    ins_by_help: 'None ticked: the workspace’s fields (channel, source, platform, device).',
    ins_by_other: 'Other fields to break down by',
    ins_by_other_help: 'Comma-separated, e.g. {example}',
    ins_by_channel: 'channel',
    ins_by_source: 'source',
    ins_by_platform: 'platform',
    ins_by_device_type: 'device type',
    ins_found: '{n} changes found, ranked by the customers affected.',
    ins_found_one: '1 change found.',
    ins_more: '{n} smaller changes are not listed: lower the sensitivity or narrow the period to see them.',
    ins_scanned: 'Scanned {days} of data ({period}): {events} event names, {series} series, broken down by {slices}.',
    ins_scanned_none: 'no field',
    ins_missing: 'Fields the data does not have: {fields}.',
    ins_seasonal: 'Seasonal days never reported as a change ({n})',
    ins_nothing: 'Nothing changed significantly in {n} days of data',
    ins_nothing_since: 'Nothing changed significantly since {date} ({n} days of data scanned)',
    ins_nothing_detail: 'Every key funnel step, stage, event and new customer was checked, day by day and by slice. Raise the sensitivity to see smaller changes.',
  },
  vi: {
    ins_title: 'Điều gì đã thay đổi',
    ins_lead: 'Những thay đổi tự tìm thấy trong dữ liệu, lớn nhất trước: bạn không cần chỉ chỗ để xem.',
    ins_changes_since: 'Thay đổi kể từ lần xem trước (ngày)',
    ins_changes_since_help: 'Chỉ giữ các thay đổi còn diễn ra hoặc kết thúc sau ngày này.',
    ins_sensitivity: 'Độ nhạy',
    ins_sensitivity_default: 'Theo cài đặt của workspace',
    ins_sensitivity_low: 'Thấp: chỉ thay đổi lớn, gần như chắc chắn',
    ins_sensitivity_medium: 'Vừa',
    ins_sensitivity_high: 'Cao: cả thay đổi nhỏ hơn (dễ báo nhầm hơn)',
    ins_by: 'Chia theo',
    ins_by_help: 'Không chọn ô nào: dùng các trường của workspace (kênh, nguồn, nền tảng, thiết bị).',
    ins_by_other: 'Trường khác để chia',
    ins_by_other_help: 'Cách nhau bằng dấu phẩy, ví dụ {example}',
    ins_by_channel: 'kênh',
    ins_by_source: 'nguồn',
    ins_by_platform: 'nền tảng',
    ins_by_device_type: 'loại thiết bị',
    ins_found: 'Tìm thấy {n} thay đổi, xếp theo số khách hàng bị ảnh hưởng.',
    ins_found_one: 'Tìm thấy 1 thay đổi.',
    ins_more: 'Còn {n} thay đổi nhỏ hơn không được liệt kê: giảm độ nhạy hoặc thu hẹp khoảng thời gian để xem.',
    ins_scanned: 'Đã quét {days} dữ liệu ({period}): {events} tên sự kiện, {series} chuỗi số liệu, chia theo {slices}.',
    ins_scanned_none: 'không trường nào',
    ins_missing: 'Các trường dữ liệu không có: {fields}.',
    ins_seasonal: 'Ngày mùa vụ không bao giờ bị báo là thay đổi ({n})',
    ins_nothing: 'Không có thay đổi đáng kể nào trong {n} ngày dữ liệu',
    ins_nothing_since: 'Không có thay đổi đáng kể nào kể từ {date} (đã quét {n} ngày dữ liệu)',
    ins_nothing_detail: 'Đã kiểm tra mọi bước của phễu chính, mọi giai đoạn, mọi sự kiện và khách mới, theo từng ngày và từng lát cắt. Tăng độ nhạy để xem các thay đổi nhỏ hơn.',
  },
});

const SLICES = ['channel', 'source', 'platform', 'device_type'];
const DEFAULTS = { since: '', until: '', where: '', changes_since: '', sensitivity: '', by: [] };

function fields(values) {
  const changes = input('insights-changes-since', values.changes_since, { type: 'date' });
  const sensitivity = select('insights-sensitivity', [['', t('ins_sensitivity_default')], ...['low', 'medium', 'high'].map((s) => [s, t(`ins_sensitivity_${s}`)])], values.sensitivity);
  const ticked = new Set(values.by);
  const checks = h(
    'fieldset',
    { class: 'dash-checks dash-wide', id: 'insights-by' },
    h('legend', {}, t('ins_by')),
    SLICES.map((s) => h('label', {}, h('input', { type: 'checkbox', value: s, checked: ticked.has(s) }), t(`ins_by_${s}`))),
    h('small', { class: 'muted' }, t('ins_by_help')),
  );
  const other = input('insights-by-other', values.by.filter((b) => !SLICES.includes(b)).join(', '), { type: 'text', size: 30, spellcheck: 'false', translate: 'no' });
  const help = sentence('ins_by_other_help', { example: 'properties.campaign, city' });
  return [field(t('ins_changes_since'), changes, t('ins_changes_since_help')), field(t('ins_sensitivity'), sensitivity), checks, field(t('ins_by_other'), other, help)];
}

function readFields(form) {
  const ticked = [...form.querySelectorAll('#insights-by input:checked')].map((box) => box.value);
  const other = form.querySelector('#insights-by-other').value.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    changes_since: form.querySelector('#insights-changes-since').value,
    sensitivity: form.querySelector('#insights-sensitivity').value,
    by: [...ticked, ...other.filter((b) => !ticked.includes(b))],
  };
}

/** What the scan looked at, in one sentence, and the days it never reports. */
function scanned(report) {
  const s = report.scanned;
  const slices = s.slices.length ? s.slices.map((x) => x.field).join(', ') : null;
  const numbers = {
    days: t('ins_days', { n: fmt.int(s.days) }),
    period: periodOf({ from: s.from, to: s.to }),
    events: fmt.int(s.events),
    series: fmt.int(s.series),
  };
  const text = slices ? sentence('ins_scanned', { slices }, numbers) : [t('ins_scanned', { ...numbers, slices: t('ins_scanned_none') })];
  const seasonal = report.seasonal_days || [];
  return h(
    'div',
    { class: 'ins-scanned muted', id: 'insights-scanned' },
    h('p', {}, text),
    s.slices_missing && s.slices_missing.length ? h('p', {}, sentence('ins_missing', { fields: s.slices_missing.join(', ') })) : null,
    seasonal.length
      ? h(
        'details',
        {},
        h('summary', {}, t('ins_seasonal', { n: fmt.int(seasonal.length) })),
        h('ul', { class: 'ins-seasonal' }, seasonal.map((d) => h('li', {}, `${fmt.date(d.date)}: ${lang === 'vi' ? d.name_vi : d.name_en}`))),
      )
      : null,
  );
}

function nothing(report) {
  const days = fmt.int(report.scanned.days);
  const title = report.since ? t('ins_nothing_since', { date: fmt.date(report.since), n: days }) : t('ins_nothing', { n: days });
  const box = empty(title, t('ins_nothing_detail'));
  box.id = 'insights-nothing';
  return h('div', {}, box, scanned(report));
}

async function draw(values) {
  const report = await api(wsPath('/insights'), { query: values });
  if (report.nothing_changed) return nothing(report);
  const n = report.findings.length;
  return h(
    'div',
    {},
    h('p', { class: 'dash-summary', id: 'insights-summary' }, n === 1 ? t('ins_found_one') : t('ins_found', { n: fmt.int(n) })),
    scanned(report),
    h('div', { id: 'insights-list' }, report.findings.map((f, i) => findingCard(f, i + 1, values.where))),
    report.more_findings ? h('p', { class: 'muted', id: 'insights-more' }, t('ins_more', { n: fmt.int(report.more_findings) })) : null,
  );
}

export async function render(main, params, query) {
  main.append(pageHead('ins_title', 'ins_lead'));
  const values = readQuery(query, DEFAULTS);
  const asked = Object.fromEntries(Object.entries(values).filter(([, v]) => (Array.isArray(v) ? v.length : v !== '')));
  main.append(filterForm('insights', values, fields(values), readFields), reportBox('insights-report', () => draw(asked)));
}
