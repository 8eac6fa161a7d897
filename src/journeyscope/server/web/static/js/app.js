// The app's frame: who is signed in, the navigation, the language switch, and a router
// that loads each page's module when it is first opened (#/maps, #/funnel, ...).
import { api, session } from './api.js';
import { lang, register, setLang, t, catalogues } from './i18n.js';
import { loadEcharts } from './charts.js';
import { clear, errorBox, h, loading } from './ui.js';

register({
  en: {
    app_name: 'JourneyScope',
    skip_to_content: 'Skip to content',
    nav_label: 'Main navigation',
    nav_home: 'Overview',
    nav_insights: 'What changed',
    nav_maps: 'Journey maps',
    nav_dashboards: 'Dashboards',
    nav_funnel: 'Funnel',
    nav_paths: 'Paths',
    nav_stages: 'Stages',
    nav_touchpoints: 'Touchpoints',
    nav_attribution: 'Attribution',
    nav_retention: 'Retention',
    nav_feedback: 'Feedback',
    nav_customers: 'Customers',
    nav_segments: 'Segments',
    nav_data: 'Data',
    nav_users: 'Users',
    language: 'Language',
    sign_out: 'Sign out',
    sign_out_everywhere: 'Sign out everywhere',
    role_viewer: 'viewer',
    role_editor: 'editor',
    role_admin: 'admin',
    page_missing: 'This page does not exist.',
    workspace: 'Workspace',
  },
  vi: {
    app_name: 'JourneyScope',
    skip_to_content: 'Chuyển đến nội dung',
    nav_label: 'Điều hướng chính',
    nav_home: 'Tổng quan',
    nav_insights: 'Điều gì đã thay đổi',
    nav_maps: 'Bản đồ hành trình',
    nav_dashboards: 'Bảng số liệu',
    nav_funnel: 'Phễu',
    nav_paths: 'Đường đi',
    nav_stages: 'Giai đoạn',
    nav_touchpoints: 'Điểm chạm',
    nav_attribution: 'Phân bổ',
    nav_retention: 'Giữ chân',
    nav_feedback: 'Phản hồi',
    nav_customers: 'Khách hàng',
    nav_segments: 'Phân khúc',
    nav_data: 'Dữ liệu',
    nav_users: 'Người dùng',
    language: 'Ngôn ngữ',
    sign_out: 'Đăng xuất',
    sign_out_everywhere: 'Đăng xuất mọi nơi',
    role_viewer: 'người xem',
    role_editor: 'biên tập viên',
    role_admin: 'quản trị viên',
    page_missing: 'Trang này không tồn tại.',
    workspace: 'Workspace',
  },
});

// route pattern → page module; a module exports render(main, params)
const ROUTES = [
  [/^\/?$/, 'home'],
  [/^\/maps$/, 'maps'],
  [/^\/maps\/([^/]+)$/, 'editor'],
  [/^\/insights$/, 'insights'],
  [/^\/funnel$/, 'funnel'],
  [/^\/paths$/, 'paths'],
  [/^\/stages$/, 'stages'],
  [/^\/touchpoints$/, 'touchpoints'],
  [/^\/attribution$/, 'attribution'],
  [/^\/retention$/, 'retention'],
  [/^\/feedback$/, 'feedback'],
  [/^\/customers$/, 'customers'],
  [/^\/segments$/, 'segments'],
  [/^\/customers\/([^/]+)$/, 'customer'],
  [/^\/data$/, 'data'],
  [/^\/users$/, 'users'],
];

const DASHBOARDS = new Set(['funnel', 'paths', 'touchpoints', 'attribution', 'retention']);

const NAV = [
  ['#/', 'nav_home'],
  ['#/insights', 'nav_insights'],
  ['#/maps', 'nav_maps'],
  [null, 'nav_dashboards', [
    ['#/funnel', 'nav_funnel'],
    ['#/paths', 'nav_paths'],
    ['#/stages', 'nav_stages'],
    ['#/touchpoints', 'nav_touchpoints'],
    ['#/attribution', 'nav_attribution'],
    ['#/retention', 'nav_retention'],
    ['#/feedback', 'nav_feedback'],
  ]],
  ['#/customers', 'nav_customers'],
  ['#/segments', 'nav_segments'],
  ['#/data', 'nav_data'],
  ['#/users', 'nav_users', null, 'admin'],
];

const root = document.getElementById('app');
let main = null;

function navLink(href, key) {
  return h('a', { href, class: 'nav-link', dataset: { route: href } }, t(key));
}

function languageSwitch() {
  const select = h(
    'select',
    { id: 'language', 'aria-label': t('language'), onchange: (e) => switchLanguage(e.target.value) },
    h('option', { value: 'vi', selected: lang === 'vi', lang: 'vi' }, 'Tiếng Việt'),
    h('option', { value: 'en', selected: lang === 'en', lang: 'en' }, 'English'),
  );
  return select;
}

function switchLanguage(next) {
  setLang(next);
  if (session.user) localStorage.setItem(`journeyscope.lang.${session.user.email}`, next);
  // every word on screen comes from t(): the simplest correct redraw is a reload
  window.location.reload();
}

async function signOut(everywhere) {
  try {
    await api(everywhere ? '/api/v1/session/everywhere' : '/api/v1/session', { method: everywhere ? 'POST' : 'DELETE' });
  } finally {
    session.user = null;
    session.csrf = null;
    window.location.hash = '#/';
    window.location.reload();
  }
}

function frame() {
  const role = session.user.role;
  const nav = h(
    'nav',
    { class: 'nav', 'aria-label': t('nav_label') },
    h('ul', {}, NAV.filter(([, , , need]) => !need || need === role).map(([href, key, children]) =>
      children
        ? h('li', { class: 'group' }, h('span', { class: 'group-label' }, t(key)), h('ul', {}, children.map(([hr, k]) => h('li', {}, navLink(hr, k)))))
        : h('li', {}, navLink(href, key)),
    )),
  );
  main = h('main', { id: 'main', tabindex: '-1' });
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '#/' }, h('img', { src: '/static/favicon.svg', alt: '', width: 28, height: 28 }), t('app_name')),
    h('span', { class: 'workspace', title: t('workspace'), translate: 'no' }, session.workspace),
    h('div', { class: 'spacer' }),
    languageSwitch(),
    h('span', { class: 'who' }, h('span', { translate: 'no' }, session.user.email), ` · ${t(`role_${role}`)}`),
    h('button', { type: 'button', class: 'small', onclick: () => signOut(false) }, t('sign_out')),
    h('button', { type: 'button', class: 'small ghost', onclick: () => signOut(true) }, t('sign_out_everywhere')),
  );
  clear(root, h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, t('skip_to_content')), header, h('div', { class: 'body' }, nav, main));
}

function markCurrent(path) {
  for (const link of root.querySelectorAll('.nav-link')) {
    const here = link.dataset.route === `#${path}` || (path.startsWith('/maps/') && link.dataset.route === '#/maps') || (path.startsWith('/customers/') && link.dataset.route === '#/customers');
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function route() {
  if (!session.user) return;
  const path = decodeURIComponent(window.location.hash.replace(/^#/, '').split('?')[0]) || '/';
  const query = new URLSearchParams(window.location.hash.split('?')[1] || '');
  markCurrent(path);
  for (const [pattern, name] of ROUTES) {
    const match = path.match(pattern);
    if (!match) continue;
    clear(main, loading());
    try {
      if (DASHBOARDS.has(name)) {
      // the event names every dashboard's form needs: fetched while its module loads
      import('./pages/dashboards-common.js').then((common) => common.eventNames()).catch(() => {});
    }
    const page = await import(`./pages/${name}.js`);
      clear(main);
      await page.render(main, match.slice(1), query);
      const heading = main.querySelector('h1');
      document.title = heading ? `${heading.textContent} · ${t('app_name')}` : t('app_name');
    } catch (error) {
      clear(main, errorBox(error, route));
      if (!(error && error.status)) console.error(error);
    }
    return;
  }
  clear(main, h('h1', {}, t('page_missing')));
}

async function start() {
  try {
    const me = await api('/api/v1/session');
    Object.assign(session, { workspace: me.workspace, user: me.user, csrf: me.csrf });
  } catch (error) {
    if (error.status !== 401) {
      clear(root, errorBox(error, start));
      return;
    }
    const page = await import('./pages/signin.js');
    page.render(root, { languageSwitch });
    return;
  }
  const chosen = localStorage.getItem(`journeyscope.lang.${session.user.email}`);
  if (chosen && chosen !== lang) {
    setLang(chosen);
    window.location.reload();
    return;
  }
  loadEcharts(); // most pages draw a chart: download it while the page asks for its data
  frame();
  await route();
  window.dispatchEvent(new CustomEvent('journeyscope:ready'));
}

window.addEventListener('hashchange', route);
window.addEventListener('journeyscope:signed-out', () => {
  session.user = null;
  start();
});
window.journeyscope = { catalogues, session };
start();
