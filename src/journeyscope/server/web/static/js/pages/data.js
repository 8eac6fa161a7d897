// Data: what arrives per source (refreshed every few seconds while the page is open, from
// GET /activity), the recent imports, and for admins the file import and the keys.
import { api, session, wsPath } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { card, clear, errorBox, h, table } from '../ui.js';
import { importCard } from './data-import.js';
import { keysCard } from './data-keys.js';

register({
  en: {
    data_title: 'Data',
    data_lead: 'Where the events come from, how many arrive, and the files imported.',
    data_live: 'Events received per source',
    data_live_lead: 'Updated every {s} seconds while this page is open · last update {at}',
    data_source: 'Source',
    data_last_hour: 'Last hour',
    data_last_day: 'Last 24 hours',
    data_total: 'All time',
    data_last_arrival: 'Last arrival',
    data_events: 'events',
    data_no_source: '(no source name)',
    data_empty: 'Nothing has arrived yet',
    data_empty_detail: 'Import a file below, or send events with a write key to the collection API (/v1/batch).',
    data_imports: 'Recent imports',
    data_imported_at: 'Imported',
    data_file: 'File',
    data_stored: 'Stored',
    data_dupes: 'Already stored',
    data_refused: 'Refused',
    data_admin_only: 'Importing files and managing keys is for admins of this workspace.',
  },
  vi: {
    data_title: 'Dữ liệu',
    data_lead: 'Sự kiện đến từ đâu, đến bao nhiêu, và các tệp đã nhập.',
    data_live: 'Sự kiện nhận được theo nguồn',
    data_live_lead: 'Tự cập nhật mỗi {s} giây khi trang đang mở · lần cập nhật gần nhất {at}',
    data_source: 'Nguồn',
    data_last_hour: 'Giờ vừa qua',
    data_last_day: '24 giờ qua',
    data_total: 'Từ trước đến nay',
    data_last_arrival: 'Lần nhận gần nhất',
    data_events: 'sự kiện',
    data_no_source: '(không có tên nguồn)',
    data_empty: 'Chưa nhận được dữ liệu nào',
    data_empty_detail: 'Hãy nhập một tệp ở dưới, hoặc gửi sự kiện bằng khoá write tới API thu thập (/v1/batch).',
    data_imports: 'Các lần nhập gần đây',
    data_imported_at: 'Thời điểm nhập',
    data_file: 'Tệp',
    data_stored: 'Đã lưu',
    data_dupes: 'Đã có từ trước',
    data_refused: 'Bị từ chối',
    data_admin_only: 'Chỉ quản trị viên của workspace mới nhập tệp và quản lý khoá.',
  },
});

export const REFRESH_SECONDS = 5;
const no = (text) => h('span', { translate: 'no' }, text);
const events = (n) => `${fmt.int(n)} ${t('data_events')}`;

function sources(activity) {
  if (!activity.sources.length) return h('div', { class: 'state empty', role: 'status' }, h('strong', {}, t('data_empty')), h('p', {}, t('data_empty_detail')));
  return table(
    [
      { label: t('data_source'), value: (s) => (s.source ? h('span', { class: 'badge channel', translate: 'no' }, s.source) : t('data_no_source')) },
      { label: t('data_last_hour'), value: (s) => events(s.last_hour), num: true },
      { label: t('data_last_day'), value: (s) => events(s.last_day), num: true },
      { label: t('data_total'), value: (s) => events(s.total), num: true },
      { label: t('data_last_arrival'), value: (s) => fmt.dateTime(s.last_arrival) },
    ],
    activity.sources,
  );
}

function imports(activity) {
  if (!activity.imports.length) return null;
  return table(
    [
      { label: t('data_imported_at'), value: (i) => fmt.dateTime(i.started_at) },
      { label: t('data_file'), value: (i) => no(i.file) },
      { label: t('data_source'), value: (i) => no(i.source) },
      { label: t('data_stored'), value: (i) => fmt.int(i.accepted), num: true },
      { label: t('data_dupes'), value: (i) => fmt.int(i.duplicates), num: true },
      { label: t('data_refused'), value: (i) => fmt.int(i.rejected), num: true },
    ],
    activity.imports,
  );
}

/** Redraw the live counts now and every few seconds, until the page is left. */
function liveCounts(liveBox, importsBox, stamp) {
  let timer = null;
  const tick = async () => {
    if (!liveBox.isConnected) return; // another page is open: stop polling
    try {
      const activity = await api(wsPath('/activity'));
      if (!liveBox.isConnected) return;
      clear(liveBox, sources(activity));
      clear(importsBox, imports(activity));
      stamp.textContent = t('data_live_lead', { s: REFRESH_SECONDS, at: fmt.dateTime(activity.at) });
    } catch (error) {
      clear(liveBox, errorBox(error));
    }
    clearTimeout(timer); // a refresh during a tick must not start a second chain
    timer = setTimeout(tick, REFRESH_SECONDS * 1000);
  };
  tick();
  return () => { clearTimeout(timer); tick(); };
}

export async function render(main) {
  const admin = session.user.role === 'admin';
  const liveBox = h('div', { id: 'live-counts' }, h('p', { class: 'muted' }, t('loading')));
  const importsBox = h('div', { id: 'recent-imports' });
  const stamp = h('p', { class: 'muted', id: 'live-stamp' }, t('data_live_lead', { s: REFRESH_SECONDS, at: '–' }));
  main.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('data_title')), h('p', {}, t('data_lead')))),
    card(t('data_live'), stamp, liveBox),
    card(t('data_imports'), importsBox),
  );
  const refresh = liveCounts(liveBox, importsBox, stamp);
  if (!admin) {
    main.append(h('p', { class: 'muted', id: 'data-admin-only' }, t('data_admin_only')));
    return;
  }
  const upload = importCard();
  upload.addEventListener('imported', refresh);
  main.append(upload, keysCard());
}
