// The catalog's reference lists (vocabulary, data elements, databases, departments), fetched once per page load and
// shared by the catalog pages; a failed fetch is retried on the next call. Regions have their own cache (regions.js).
import { computed, reactive } from 'vue';
import { useI18n } from 'vue-i18n';
import { api } from '../api/index.js';
import { fetchAll } from './usePagedList.js';
import { vocabularyMaps, makeValueLabel } from './catalog.js';
import { loadRegions } from './regions.js';

function cached(load) {
  let promise = null;
  const get = () => {
    if (!promise) {
      promise = load().catch((e) => {
        promise = null;
        throw e;
      });
    }
    return promise;
  };
  get.clear = () => {
    promise = null;
  };
  return get;
}

export const loadVocabulary = cached(() => api.catalogVocabulary().then((v) => v || {}));
export const loadElements = cached(() => api.catalogElements().then((r) => (r && r.items) || []));
export const loadDatabases = cached(() => api.catalogDatabases().then((r) => (r && r.items) || []));
export const loadDepartments = cached(() => fetchAll((cursor) => api.departments({ limit: 200, cursor })));

/**
 * Reactive reference data for a page: call refs.load() on mount; every list stays empty if its fetch fails (the
 * page then shows raw values, never breaks).
 */
export function useCatalogRefs() {
  const refs = reactive({ vocab: {}, maps: {}, databases: [], elements: [], departments: [], regions: [], loaded: false });
  async function load({ elements = false, departments = false, regions = false } = {}) {
    const jobs = [
      loadVocabulary().then((v) => {
        refs.vocab = v;
        refs.maps = vocabularyMaps(v);
      }),
      loadDatabases().then((d) => (refs.databases = d)),
    ];
    if (elements) jobs.push(loadElements().then((e) => (refs.elements = e)));
    if (departments) jobs.push(loadDepartments().then((d) => (refs.departments = d)));
    if (regions) jobs.push(loadRegions().then((r) => (refs.regions = r)));
    await Promise.allSettled(jobs);
    refs.loaded = true;
  }
  return { refs, load };
}

/**
 * Labels for a page's reference data: value(field, v) through the vocabulary (see makeValueLabel), and the names of
 * databases, departments and regions by their codes/ids (the code itself when unknown).
 */
export function useCatalogLabels(refs) {
  const { t, te, locale } = useI18n();
  const valueLabel = computed(() => makeValueLabel(refs.maps, { locale: locale.value, t, te }));
  const byKey = (list, key) => new Map((list || []).map((x) => [String(x[key]), x.name]));
  const databases = computed(() => byKey(refs.databases, 'code'));
  const departments = computed(() => byKey(refs.departments, 'id'));
  const regions = computed(() => byKey(refs.regions, 'id'));
  return {
    value: (field, v) => valueLabel.value(field, v),
    database: (code) => databases.value.get(String(code)) || String(code ?? ''),
    department: (id) => departments.value.get(String(id)) || '',
    region: (id) => regions.value.get(String(id)) || '',
    state: (s) => (s && te(`catalog.states.${s}`) ? t(`catalog.states.${s}`) : s || ''),
  };
}
