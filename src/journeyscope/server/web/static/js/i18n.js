// Words of the web app in English and Vietnamese. Each page registers its own messages;
// t() of a key nobody registered is an error (the browser tests fail on console errors).
export const TZ = 'Asia/Ho_Chi_Minh';
export const LANGS = ['en', 'vi'];
const catalogue = { en: {}, vi: {} };
export let lang = document.documentElement.lang === 'vi' ? 'vi' : 'en';

export function register(messages) {
  for (const l of LANGS) Object.assign(catalogue[l], messages[l] || {});
  for (const key of Object.keys(messages.en || {})) {
    if (!(messages.vi || {})[key]) console.error(`message ${key} has no Vietnamese`);
  }
}

export function t(key, vars = {}) {
  let text = catalogue[lang][key];
  if (text === undefined) {
    console.error(`unknown message ${key}`);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Both catalogues, for the browser test that looks for English left on a Vietnamese page. */
export function catalogues() {
  return catalogue;
}

export function setLang(next) {
  if (!LANGS.includes(next)) return;
  lang = next;
  document.documentElement.lang = next;
  document.cookie = `journeyscope_lang=${next}; path=/; max-age=31536000; samesite=strict`;
}

const locale = () => (lang === 'vi' ? 'vi-VN' : 'en-GB');

export const fmt = {
  int: (n) => (n === null || n === undefined ? '–' : new Intl.NumberFormat(locale()).format(n)),
  num: (n, digits = 2) =>
    n === null || n === undefined
      ? '–'
      : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n),
  pct: (x, digits = 1) =>
    x === null || x === undefined
      ? '–'
      : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: digits }).format(x),
  vnd: (n) =>
    n === null || n === undefined
      ? '–'
      : new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 }).format(n),
  date: (s) =>
    s ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: TZ }).format(new Date(s)) : '–',
  dateTime: (s) =>
    s
      ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: TZ }).format(new Date(s))
      : '–',
  duration: (seconds) => {
    if (seconds === null || seconds === undefined) return '–';
    const units = lang === 'vi' ? ['ngày', 'giờ', 'phút', 'giây'] : ['d', 'h', 'min', 's'];
    const sizes = [86400, 3600, 60, 1];
    for (let i = 0; i < sizes.length; i += 1) {
      if (seconds >= sizes[i] || i === sizes.length - 1) {
        const value = seconds / sizes[i];
        return `${fmt.num(value, value < 10 ? 1 : 0)} ${units[i]}`;
      }
    }
    return '–';
  },
};
