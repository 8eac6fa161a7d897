// The overview's "What changed" card: the three changes that touched the most customers
// (GET /insights, as the Insights page lists them), or a plain "nothing changed".
import { api, wsPath } from '../api.js';
import { fmt, t } from '../i18n.js';
import { card, h, into, loading } from '../ui.js';
import { headline } from './insights-words.js';

const TOP = 3;

async function load() {
  let report;
  try {
    report = await api(wsPath('/insights'));
  } catch (error) {
    if (error.code === 'no_data_in_period') return h('p', { class: 'muted' }, t('ins_home_no_data'));
    throw error;
  }
  const more = h('p', {}, h('a', { href: '#/insights', id: 'home-insights-more' }, t('ins_home_more')));
  if (report.nothing_changed) {
    return [h('p', { id: 'home-insights-nothing' }, t('ins_home_nothing', { n: fmt.int(report.scanned.days) })), more];
  }
  const items = report.findings.slice(0, TOP).map((f) =>
    h(
      'li',
      {},
      h('a', { href: '#/insights', class: 'ins-home-headline' }, headline(f)),
      h('span', { class: 'muted small' }, ` · ${t('ins_home_affected', { n: fmt.int(f.customers_affected) })}`),
    ),
  );
  return [h('ol', { class: 'ins-home-list' }, items), more];
}

/**
 * The card; it fills itself once scrolled into view. A scan reads every event (seconds on
 * a big workspace, while writes to it wait), so an overview opened and left at once does
 * not start one.
 */
export function insightsCard() {
  const box = h('div', { 'aria-live': 'polite' }, loading());
  const section = card(t('ins_home_title'), box);
  section.id = 'home-insights';
  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    seen.disconnect();
    into(box, load);
  });
  seen.observe(section);
  return section;
}
