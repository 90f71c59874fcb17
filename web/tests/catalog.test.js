import { describe, it, expect } from 'vitest';
import {
  LEVELS,
  levelRank,
  highestItemLevel,
  vocabularyMaps,
  makeValueLabel,
  searchQuery,
  pageCount,
  facetOptions,
  facetText,
  emptyContent,
  contentToForm,
  formToContent,
  CONTENT_FIELDS,
  representationLength,
  itemWithElement,
  violationPath,
  isFormField,
  groupViolations,
  itemViolations,
  violationText,
  diffRows,
  formatValue,
  previousVersion,
  entryActions,
  entryIdOfReference,
} from '../src/lib/catalog.js';

const vocab = {
  share_type: [
    { value: 'unconditional', label: '无条件共享' },
    { value: 'conditional', label: '有条件共享' },
  ],
  security_level: [
    { value: 'general1', label: '一般1' },
    { value: 'general4', label: '一般4' },
  ],
  data_type: [{ value: 'C', label: '字符' }],
};
const maps = vocabularyMaps(vocab);
const en = { 'catalog.vocab.share_type.conditional': 'Conditional', 'catalog.rules.level_below_items': 'Level below items' };
const i18nEn = { locale: 'en', t: (k) => en[k], te: (k) => k in en };
const i18nZh = { ...i18nEn, locale: 'zh-CN' };

describe('levels', () => {
  it('ranks levels from general1 to core', () => {
    expect(LEVELS[0]).toBe('general1');
    expect(levelRank('core')).toBeGreaterThan(levelRank('important'));
    expect(levelRank('classified')).toBe(-1);
    expect(highestItemLevel([{ level: 'general3' }, { level: 'important' }, { level: 'general1' }])).toBe('important');
    expect(highestItemLevel([])).toBe('');
  });
});

describe('value labels', () => {
  it('maps the vocabulary by field and value', () => {
    expect(maps.share_type.conditional).toBe('有条件共享');
    expect(vocabularyMaps({ bad: 'x' })).toEqual({});
  });
  it('prefers the server label in Chinese and the translation elsewhere, falling back to the value', () => {
    expect(makeValueLabel(maps, i18nZh)('share_type', 'conditional')).toBe('有条件共享');
    expect(makeValueLabel(maps, i18nEn)('share_type', 'conditional')).toBe('Conditional');
    expect(makeValueLabel(maps, i18nEn)('share_type', 'unconditional')).toBe('无条件共享');
    expect(makeValueLabel(maps, i18nEn)('format', 'weird')).toBe('weird');
    expect(makeValueLabel(maps, i18nEn)('format', '')).toBe('');
  });
});

describe('search query and paging', () => {
  it('drops blank filters, trims the text and turns a page into offset/limit', () => {
    expect(searchQuery({ q: '  人口 ', provider: '', region: '130100', share_type: null }, 3, 20)).toEqual({ q: '人口', region: '130100', offset: 40, limit: 20 });
    expect(searchQuery({}, 0, 500)).toEqual({ offset: 0, limit: 100 });
    // The order is the server's: relevance when no sort is sent, else by the last update.
    expect(searchQuery({ q: '人口', sort: '' }, 1, 20)).toEqual({ q: '人口', offset: 0, limit: 20 });
    expect(searchQuery({ q: '人口', sort: '-updated_at' }, 2, 20)).toEqual({ q: '人口', sort: '-updated_at', offset: 20, limit: 20 });
  });
  it('offers only the pages the server accepts (offset ≤ 10000)', () => {
    expect(pageCount(0, 20)).toBe(0);
    expect(pageCount(41, 20)).toBe(3);
    expect(pageCount(1e6, 20)).toBe(501);
  });
});

describe('facets', () => {
  const facets = {
    provider: [
      { value: '14', count: 1, label: '河北省统计局' },
      { value: '11', count: 5 },
      { value: '2', count: 1 },
    ],
  };
  const names = { 11: '河北省公安厅', 2: '石家庄市公安局' };
  it('labels, counts and sorts the options (most matches first)', () => {
    const opts = facetOptions(facets, 'provider', (v) => names[v]);
    expect(opts.map((o) => o.value)).toEqual(['11', '14', '2']); // ties by label in pinyin order (he < shi)
    expect(opts[0]).toEqual({ value: '11', count: 5, label: '河北省公安厅' });
    expect(opts[1].label).toBe('河北省统计局'); // the facet's own label when the page has none
    expect(facetText(opts[0])).toBe('河北省公安厅 (5)');
  });
  it('keeps a selected value without matches and copes with a missing facet', () => {
    expect(facetOptions(facets, 'provider', () => '', '99').find((o) => o.value === '99')).toEqual({ value: '99', count: 0, label: '99' });
    expect(facetOptions({}, 'region', null)).toEqual([]);
  });
});

describe('entry content in the form', () => {
  it('starts with every EntryContent field', () => {
    expect(Object.keys(emptyContent()).sort()).toEqual([...CONTENT_FIELDS].sort());
  });
  it('round-trips stored content and cleans what is sent', () => {
    const stored = { name: '常住人口', keywords: ['人口'], security_level: 'general4', items: [{ name: '姓名', level: 'general3', length: 50 }] };
    const form = contentToForm(stored);
    expect(form.share_methods).toEqual([]);
    expect(form.items[0]).toMatchObject({ name: '姓名', element: '', data_type: '', key: false, level: 'general3', length: 50 });
    form.name = '  常住人口 ';
    form.keywords.push(' ', ' 户籍 ');
    form.items[0].length = '18.7';
    const out = formToContent(form);
    expect(out.name).toBe('常住人口');
    expect(out.keywords).toEqual(['人口', '户籍']);
    expect(out.items[0].length).toBe(18);
    expect(formToContent(emptyContent()).security_level).toBe(null);
  });
});

describe('items from data elements', () => {
  const idNumber = { id: 'DE0001', name: '公民身份号码', data_type: 'C', representation: 'an18', personal: true, default_level: 'general4' };
  it('reads the length of a representation', () => {
    expect(representationLength('an18')).toBe(18);
    expect(representationLength('c..50')).toBe(50);
    expect(representationLength('n1')).toBe(1);
    expect(representationLength('')).toBe(0);
    expect(representationLength('YYYY-MM-DD')).toBe(0);
  });
  it('fills type, length, personal flag, level and a missing name', () => {
    expect(itemWithElement({ name: '', key: true }, idNumber)).toEqual({ name: '公民身份号码', element: 'DE0001', data_type: 'C', length: 18, key: true, personal: true, level: 'general4' });
    expect(itemWithElement({ name: '身份证号' }, idNumber).name).toBe('身份证号');
    expect(itemWithElement({ name: 'x', element: 'DE0001', data_type: 'C', length: 18 }, null)).toMatchObject({ element: '', data_type: 'C', length: 18 });
  });
});

describe('violations on form fields', () => {
  it('turns pointers into field paths', () => {
    expect(violationPath('/content/items/2/level')).toBe('items.2.level');
    expect(violationPath('/name')).toBe('name');
    expect(violationPath('/content/items/a~1b')).toBe('items.a/b');
    expect(violationPath('')).toBe('');
    expect(violationPath('/content')).toBe('');
  });
  it('knows the fields of the form', () => {
    expect(isFormField('security_level', 0)).toBe(true);
    expect(isFormField('items.1.level', 2)).toBe(true);
    expect(isFormField('items.2.level', 2)).toBe(false);
    expect(isFormField('items.0.colour', 2)).toBe(false);
    expect(isFormField('provider', 2)).toBe(false);
  });
  it('groups violations on the nearest field the form shows', () => {
    const v = (field, rule = 'required') => ({ field, rule, article: '7', message: rule });
    const g = groupViolations([v('/content/security_level', 'level_below_items'), v('/content/items/1/level'), v('/content/items/9/name'), v('/content/databases/0', 'unknown_database'), v('/content/provider'), v(''), null], 2);
    expect(Object.keys(g).sort()).toEqual(['', 'databases', 'items', 'items.1.level', 'security_level']);
    expect(g.security_level[0].rule).toBe('level_below_items');
    expect(g.items).toHaveLength(1);
    expect(g['']).toHaveLength(2);
    expect(itemViolations(g, 1)).toHaveLength(1);
    expect(itemViolations(g, 0)).toEqual([]);
  });
  it('shows the server message in Chinese and the translated rule elsewhere', () => {
    const v = { rule: 'level_below_items', message: '资源安全级别不得低于信息项的最高级别：应至少为一般4' };
    expect(violationText(v, i18nZh)).toBe(v.message);
    expect(violationText(v, i18nEn)).toBe('Level below items');
    expect(violationText({ rule: 'new_rule', message: '新规则' }, i18nEn)).toBe('新规则');
  });
});

describe('version diffs', () => {
  const changes = [
    { field: '/abstract', before: 'a', after: 'b' },
    { field: '/items/姓名/level', before: 'general3', after: 'general4' },
    { field: '/items/联系电话', before: null, after: { name: '联系电话', data_type: 'C', length: 20, level: 'general4' } },
    { field: '/items/户号', before: { name: '户号' }, after: null },
    { field: '/items/a~1b/key', before: false, after: true },
  ];
  it('splits item paths and classifies the change', () => {
    const rows = diffRows(changes);
    expect(rows[0]).toMatchObject({ field: 'abstract', item: null, attr: null, kind: 'changed' });
    expect(rows[1]).toMatchObject({ field: 'items', item: '姓名', attr: 'level', kind: 'changed' });
    expect(rows[2]).toMatchObject({ field: 'items', item: '联系电话', attr: null, kind: 'added' });
    expect(rows[3]).toMatchObject({ kind: 'removed' });
    expect(rows[4]).toMatchObject({ item: 'a/b', attr: 'key' });
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });
  it('formats values with labels, lists, booleans and whole items', () => {
    const labelOf = makeValueLabel(maps, i18nZh);
    const words = { yes: '是', no: '否', none: '—' };
    expect(formatValue('general4', 'level', labelOf, words)).toBe('一般4');
    expect(formatValue(['人口', '户籍'], 'keywords', labelOf, words)).toBe('人口、户籍');
    expect(formatValue([], 'keywords', labelOf, words)).toBe('—');
    expect(formatValue(null, 'abstract', labelOf, words)).toBe('—');
    expect(formatValue(true, 'key', labelOf, words)).toBe('是');
    expect(formatValue({ name: '联系电话', data_type: 'C', length: 20, level: 'general4' }, 'item', labelOf, words)).toBe('联系电话 · 字符 20 · 一般4');
    // Free text is never looked up as a vocabulary value.
    expect(formatValue('conditional', 'abstract', labelOf, words)).toBe('conditional');
  });
  it('picks the version before', () => {
    expect(previousVersion([3, 1, 2], 3)).toBe(2);
    expect(previousVersion([1], 1)).toBe(null);
  });
});

describe('entry actions', () => {
  const manager = { canCompile: true, canReview: false, departmentId: 11 };
  const reviewer = { canCompile: false, canReview: true, departmentId: 1 };
  const base = { provider: { department_id: 11 }, withdrawn: false, on_negative_list: false, open_case: null };
  const published = { ...base, published_version: 1, working: null };
  const draft = { ...base, published_version: null, working: { state: 'draft' } };
  const inReview = { ...base, published_version: null, working: { state: 'in_review' }, open_case: { id: 5, type: 'catalog_review' } };
  it('lets the provider edit, submit and discard its draft, and apply for the negative list', () => {
    expect(entryActions(draft, manager)).toEqual({ edit: true, submit: true, discard: true, review: false, change: false, withdraw: false, negative: 'list' });
  });
  it('offers change, withdrawal and a new version on a published entry', () => {
    expect(entryActions(published, manager)).toMatchObject({ edit: true, submit: false, change: true, withdraw: true, negative: 'list' });
    expect(entryActions({ ...published, on_negative_list: true }, manager).negative).toBe('revoke');
    expect(entryActions({ ...published, open_case: { id: 3, type: 'catalog_update' } }, manager)).toMatchObject({ change: false, withdraw: false, negative: null });
  });
  it('gives reviewers the review while a version is in review, and nothing to other departments', () => {
    expect(entryActions(inReview, reviewer)).toMatchObject({ review: true, edit: false });
    expect(entryActions(inReview, manager)).toMatchObject({ review: false, edit: false, submit: false });
    expect(Object.values(entryActions(published, { ...manager, departmentId: 12 })).some(Boolean)).toBe(false);
    expect(Object.values(entryActions({ ...published, withdrawn: true }, manager)).some(Boolean)).toBe(false);
  });
  it('reads the entry of a case reference', () => {
    expect(entryIdOfReference('catalog_entry:42')).toBe(42);
    expect(entryIdOfReference('request:42')).toBe(null);
  });
});
