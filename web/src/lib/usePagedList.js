import { reactive, ref, shallowRef, watch } from 'vue';

/**
 * The server's `sort` parameter for an el-table sort-change event ({prop, order, column}): the column's `column-key`
 * (or else its `prop`) ascending, `-` before it descending; null when the sort is cleared (the server's default order).
 */
export function sortParam({ prop, order, column } = {}) {
  const field = (column && column.columnKey) || prop;
  if (!field || !order) return null;
  return order === 'descending' ? `-${field}` : field;
}

/**
 * Cursor-paged list state: fetchPage(cursor, sort) must resolve to {items, next_cursor}; `sort` is the server's `sort`
 * parameter (`field` or `-field`) or undefined for the default order.
 * reload() starts over; loadMore() appends the next page under the same sort. Stale responses (after a newer reload)
 * are dropped. setSort(sort) / onSortChange(el-table event) change the sort and reload from the first page on the
 * server (a cursor belongs to the sort it was made under).
 */
export function usePagedList(fetchPage) {
  const items = ref([]);
  const sort = ref(null);
  const loading = ref(false); // first page
  const loadingMore = ref(false);
  const error = shallowRef(null); // error of the first page
  const moreError = shallowRef(null);
  const nextCursor = ref(null);
  const loaded = ref(false);
  let generation = 0;

  async function reload() {
    const gen = ++generation;
    loading.value = true;
    error.value = null;
    moreError.value = null;
    try {
      const page = await fetchPage(null, sort.value || undefined);
      if (gen !== generation) return;
      items.value = (page && page.items) || [];
      nextCursor.value = (page && page.next_cursor) || null;
      loaded.value = true;
    } catch (e) {
      if (gen !== generation) return;
      items.value = [];
      nextCursor.value = null;
      error.value = e;
    } finally {
      if (gen === generation) loading.value = false;
    }
  }

  async function loadMore() {
    if (!nextCursor.value || loadingMore.value) return;
    const gen = generation;
    loadingMore.value = true;
    moreError.value = null;
    try {
      const page = await fetchPage(nextCursor.value, sort.value || undefined);
      if (gen !== generation) return;
      items.value = items.value.concat((page && page.items) || []);
      nextCursor.value = (page && page.next_cursor) || null;
    } catch (e) {
      if (gen === generation) moreError.value = e;
    } finally {
      loadingMore.value = false;
    }
  }

  /** Replaces an item in place (after a PATCH) by id, or prepends it (after a POST). */
  function upsert(item) {
    const i = items.value.findIndex((x) => x.id === item.id);
    if (i >= 0) items.value.splice(i, 1, item);
    else items.value.unshift(item);
  }

  /** Sorts by `value` (`field`, `-field`, or null for the default order) and reloads the first page. */
  function setSort(value) {
    sort.value = value || null;
    return reload();
  }

  /** The handler of el-table's sort-change: sorts on the server (columns with sortable="custom"). */
  function onSortChange(event) {
    return setSort(sortParam(event));
  }

  return { items, loading, loadingMore, error, moreError, nextCursor, loaded, sort, reload, loadMore, upsert, setSort, onSortChange };
}

const normalizeFilter = (v) => (v == null ? '' : typeof v === 'string' ? v.trim() : v);

/**
 * A paged list behind a filter toolbar. `filters` is what the toolbar edits, `applied` what the list is queried with:
 * fetchPage(appliedFilters, cursor, sort) must resolve to {items, next_cursor}; the list's sort (list.onSortChange) is
 * kept when the filters change.
 * search() copies the filters (strings trimmed, cleared values as '') to `applied` and reloads from the first page;
 * reset() restores the defaults and searches; a change to one of the `instant` filters (selects) searches at once.
 * The caller starts the first load with list.reload() (or search()).
 */
export function useFilteredList(fetchPage, defaults, { instant = [] } = {}) {
  const filters = reactive({ ...defaults });
  const applied = reactive({ ...defaults });
  const list = usePagedList((cursor, sort) => fetchPage({ ...applied }, cursor, sort));
  function search() {
    for (const k of Object.keys(defaults)) applied[k] = normalizeFilter(filters[k]);
    list.reload();
  }
  function reset() {
    Object.assign(filters, defaults);
    search();
  }
  if (instant.length) watch(() => instant.map((k) => filters[k]), search);
  return { list, filters, applied, search, reset };
}

/**
 * A resource fetched whole (a short list, a page of search results): load() fetches it again, keeping the last value
 * on failure only as `error`; an answer overtaken by a newer load() is dropped. `empty` is the value before the first
 * load and after a failed one.
 */
export function useLoaded(fetch, empty = null) {
  const value = shallowRef(empty);
  const loading = ref(false);
  const error = shallowRef(null);
  let generation = 0;
  async function load() {
    const gen = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const v = await fetch();
      if (gen === generation) value.value = v;
    } catch (e) {
      if (gen !== generation) return;
      value.value = empty;
      error.value = e;
    } finally {
      if (gen === generation) loading.value = false;
    }
  }
  return { value, loading, error, load };
}

/** Fetches every page of a list (for small reference lists such as departments in a select). */
export async function fetchAll(fetchPage, maxPages = 20) {
  let cursor = null;
  const out = [];
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(cursor);
    out.push(...((page && page.items) || []));
    cursor = page && page.next_cursor;
    if (!cursor) break;
  }
  return out;
}
