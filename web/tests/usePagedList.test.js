import { describe, it, expect } from 'vitest';
import { nextTick } from 'vue';
import { usePagedList, useFilteredList, fetchAll, useLoaded, sortParam } from '../src/lib/usePagedList.js';

// A fake cursor-paged API over `rows`, pages of `size`; records every call.
function fakeApi(rows, size = 2) {
  const calls = [];
  const fetch = async (cursor, filters = {}) => {
    calls.push({ cursor, filters });
    const q = filters.q || '';
    const hits = rows.filter((r) => r.name.includes(q));
    const start = cursor ? Number(cursor) : 0;
    const next = start + size < hits.length ? String(start + size) : null;
    return { items: hits.slice(start, start + size), next_cursor: next };
  };
  return { fetch, calls };
}
const rows = [1, 2, 3, 4, 5].map((id) => ({ id, name: `d${id}` }));
const deferred = () => {
  let resolve, reject;
  const promise = new Promise((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
};

describe('usePagedList', () => {
  it('loads the first page, then appends pages until there is no cursor', async () => {
    const api = fakeApi(rows);
    const l = usePagedList((c) => api.fetch(c));
    const p = l.reload();
    expect(l.loading.value).toBe(true);
    await p;
    expect(l.loading.value).toBe(false);
    expect(l.loaded.value).toBe(true);
    expect(l.items.value.map((r) => r.id)).toEqual([1, 2]);
    expect(l.nextCursor.value).toBe('2');
    await l.loadMore();
    await l.loadMore();
    expect(l.items.value.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(l.nextCursor.value).toBe(null);
    await l.loadMore(); // no cursor: no call
    expect(api.calls.map((c) => c.cursor)).toEqual([null, '2', '4']);
  });

  it('a failing first page empties the list and keeps the error; reload clears it', async () => {
    let fail = true;
    const err = new Error('down');
    const l = usePagedList(async () => {
      if (fail) throw err;
      return { items: [{ id: 1 }], next_cursor: null };
    });
    await l.reload();
    expect(l.error.value).toBe(err);
    expect(l.items.value).toEqual([]);
    expect(l.loading.value).toBe(false);
    fail = false;
    await l.reload();
    expect(l.error.value).toBe(null);
    expect(l.items.value).toEqual([{ id: 1 }]);
  });

  it('a failing next page keeps the items and the cursor and sets moreError', async () => {
    let n = 0;
    const err = new Error('more failed');
    const l = usePagedList(async (c) => {
      n++;
      if (c) throw err;
      return { items: [{ id: 1 }], next_cursor: 'x' };
    });
    await l.reload();
    await l.loadMore();
    expect(l.moreError.value).toBe(err);
    expect(l.items.value).toEqual([{ id: 1 }]);
    expect(l.nextCursor.value).toBe('x');
    expect(l.loadingMore.value).toBe(false);
    expect(n).toBe(2);
  });

  it('drops a stale response when a newer reload started', async () => {
    const first = deferred();
    const second = deferred();
    const pending = [first, second];
    const l = usePagedList(() => pending.shift().promise);
    const p1 = l.reload();
    const p2 = l.reload();
    second.resolve({ items: [{ id: 'new' }], next_cursor: null });
    await p2;
    first.resolve({ items: [{ id: 'old' }], next_cursor: 'c' });
    await p1;
    expect(l.items.value).toEqual([{ id: 'new' }]);
    expect(l.nextCursor.value).toBe(null);
    expect(l.loading.value).toBe(false);
  });

  it('upsert replaces by id or prepends', async () => {
    const l = usePagedList(async () => ({ items: [{ id: 1, v: 1 }, { id: 2, v: 1 }], next_cursor: null }));
    await l.reload();
    l.upsert({ id: 2, v: 2 });
    l.upsert({ id: 3, v: 1 });
    expect(l.items.value).toEqual([{ id: 3, v: 1 }, { id: 1, v: 1 }, { id: 2, v: 2 }]);
  });
});

describe('useFilteredList', () => {
  it('queries with the applied filters, trimmed, and reloads from the first page on search', async () => {
    const api = fakeApi(rows);
    const f = useFilteredList((applied, cursor) => api.fetch(cursor, applied), { kind: '', q: '' });
    await f.list.reload();
    await f.list.loadMore();
    f.filters.q = '  d5 ';
    expect(api.calls.at(-1).filters).toEqual({ kind: '', q: '' }); // editing alone does not query
    f.search();
    await nextTick();
    await new Promise((r) => setTimeout(r));
    expect(api.calls.at(-1)).toEqual({ cursor: null, filters: { kind: '', q: 'd5' } });
    expect(f.applied.q).toBe('d5');
    expect(f.list.items.value.map((r) => r.id)).toEqual([5]);
  });

  it('an instant filter searches on change; cleared values become empty; reset restores the defaults', async () => {
    const api = fakeApi(rows);
    const f = useFilteredList((applied, cursor) => api.fetch(cursor, applied), { region_id: '', q: '' }, { instant: ['region_id'] });
    f.filters.region_id = '130000';
    await nextTick();
    expect(api.calls.at(-1).filters).toEqual({ region_id: '130000', q: '' });
    f.filters.region_id = undefined; // el-select / el-tree-select cleared
    await nextTick();
    expect(api.calls.at(-1).filters).toEqual({ region_id: '', q: '' });
    f.filters.q = 'x';
    f.search();
    f.reset();
    expect({ ...f.filters }).toEqual({ region_id: '', q: '' });
    expect(api.calls.at(-1).filters).toEqual({ region_id: '', q: '' });
  });
});

describe('fetchAll', () => {
  it('follows cursors up to maxPages', async () => {
    const api = fakeApi(rows);
    expect((await fetchAll((c) => api.fetch(c))).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect((await fetchAll((c) => api.fetch(c), 2)).map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });
});

describe('useLoaded', () => {
  it('loads a value, reports a failure with the empty value, and drops an overtaken answer', async () => {
    const answers = [deferred(), deferred(), deferred()];
    let n = 0;
    const r = useLoaded(() => answers[n++].promise, []);
    expect(r.value.value).toEqual([]);
    const first = r.load();
    expect(r.loading.value).toBe(true);
    answers[0].resolve(['a']);
    await first;
    expect(r.value.value).toEqual(['a']);
    expect(r.loading.value).toBe(false);
    const slow = r.load();
    const fast = r.load();
    answers[2].reject(Object.assign(new Error('x'), { code: 'storage_busy' }));
    await fast;
    answers[1].resolve(['stale']);
    await slow;
    expect(r.error.value.code).toBe('storage_busy');
    expect(r.value.value).toEqual([]);
    expect(r.loading.value).toBe(false);
  });
});

// A fake server that sorts: `sort` is 'name', '-name' or undefined (id order); the cursor carries the sort it was made
// under and a cursor of another sort is refused, as the server does (invalid_cursor).
function sortingApi(list, size = 2) {
  const calls = [];
  const fetch = async (cursor, sort, filters = {}) => {
    calls.push({ cursor, sort, filters });
    const field = sort ? sort.replace(/^-/, '') : 'id';
    const dir = sort && sort.startsWith('-') ? -1 : 1;
    const hits = list
      .filter((r) => !filters.q || r.name.includes(filters.q))
      .sort((a, b) => dir * (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : a.id - b.id));
    let start = 0;
    if (cursor) {
      const [madeUnder, at] = cursor.split('|');
      if (madeUnder !== String(sort)) throw Object.assign(new Error('invalid_cursor'), { code: 'invalid_cursor' });
      start = Number(at);
    }
    const next = start + size < hits.length ? `${sort}|${start + size}` : null;
    return { items: hits.slice(start, start + size), next_cursor: next };
  };
  return { fetch, calls };
}
const named = [
  { id: 1, name: 'c' },
  { id: 2, name: 'a' },
  { id: 3, name: 'e' },
  { id: 4, name: 'b' },
  { id: 5, name: 'd' },
];

describe('sorting on the server', () => {
  it('maps el-table sort-change events to the sort parameter', () => {
    expect(sortParam({ prop: 'name', order: 'ascending' })).toBe('name');
    expect(sortParam({ prop: 'name', order: 'descending' })).toBe('-name');
    expect(sortParam({ prop: 'name', order: null })).toBe(null);
    // column-key names the server's field when the column shows something else
    expect(sortParam({ prop: 'region_name', order: 'descending', column: { columnKey: 'region_id' } })).toBe('-region_id');
    expect(sortParam({})).toBe(null);
  });

  it('reloads the first page with sort= and keeps the sort when loading more', async () => {
    const api = sortingApi(named);
    const l = usePagedList((c, s) => api.fetch(c, s));
    await l.reload();
    expect(api.calls[0]).toMatchObject({ cursor: null, sort: undefined }); // the default: no sort sent
    l.items.value.push({ id: 99, name: 'stale' });
    await l.onSortChange({ prop: 'name', order: 'descending' });
    expect(l.sort.value).toBe('-name');
    expect(api.calls[1]).toMatchObject({ cursor: null, sort: '-name' });
    expect(l.items.value.map((r) => r.name)).toEqual(['e', 'd']); // replaced, not appended
    await l.loadMore();
    await l.loadMore();
    expect(api.calls.slice(2).map((c) => c.sort)).toEqual(['-name', '-name']);
    expect(l.items.value.map((r) => r.name)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(l.moreError.value).toBe(null);
  });

  it('clearing the sort returns to the default order from the first page', async () => {
    const api = sortingApi(named);
    const l = usePagedList((c, s) => api.fetch(c, s));
    await l.setSort('name');
    expect(l.items.value.map((r) => r.id)).toEqual([2, 4]);
    await l.onSortChange({ prop: 'name', order: null });
    expect(l.sort.value).toBe(null);
    expect(api.calls.at(-1)).toMatchObject({ cursor: null, sort: undefined });
    expect(l.items.value.map((r) => r.id)).toEqual([1, 2]);
    await l.loadMore();
    expect(l.items.value.map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('a sort answered after a newer one is dropped', async () => {
    const gates = [];
    const l = usePagedList((cursor, sort) => new Promise((resolve) => gates.push({ sort, resolve })));
    const first = l.setSort('name');
    const second = l.setSort('-name');
    gates[1].resolve({ items: [{ id: 3 }], next_cursor: null });
    await second;
    gates[0].resolve({ items: [{ id: 2 }], next_cursor: 'x' });
    await first;
    expect(l.items.value).toEqual([{ id: 3 }]);
    expect(l.nextCursor.value).toBe(null);
  });

  it('useFilteredList keeps the sort when the filters change', async () => {
    const api = sortingApi(named.concat([{ id: 6, name: 'ab' }]));
    const { list, filters, search, reset } = useFilteredList((applied, c, s) => api.fetch(c, s, applied), { q: '' });
    await list.onSortChange({ prop: 'name', order: 'descending' });
    filters.q = ' a ';
    search();
    await nextTick();
    await list.reload(); // settle
    expect(api.calls.at(-1)).toMatchObject({ cursor: null, sort: '-name', filters: { q: 'a' } });
    expect(list.items.value.map((r) => r.name)).toEqual(['ab', 'a']);
    reset();
    await list.reload();
    expect(api.calls.at(-1)).toMatchObject({ sort: '-name', filters: { q: '' } });
  });
});
