import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN.js';
import en from './en.js';

export const LOCALES = ['zh-CN', 'en'];
const STORAGE_KEY = 'govshare.locale';

function initialLocale() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch {
    /* storage unavailable */
  }
  return 'zh-CN'; // Chinese by default, whatever the browser says
}

export const messages = { 'zh-CN': zhCN, en };

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages,
});

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return;
  i18n.global.locale.value = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = locale;
  document.title = i18n.global.t('app.fullTitle');
}

/** Localised text for an ApiError (or anything thrown): by code, else the server's detail. */
export function errorText(err) {
  const t = i18n.global.t;
  const te = i18n.global.te;
  if (!err) return t('errors.unknown');
  if (err.code && te(`errors.${err.code}`)) return t(`errors.${err.code}`);
  if (err.detail) return err.detail;
  if (err.message) return err.message;
  return t('errors.unknown');
}
