import { describe, it, expect, afterEach, vi } from 'vitest';
import { api } from '../src/api/index.js';

// The list routes that page and sort on the server: the portal sends the sort, the cursor and the filter as query
// parameters, and nothing for what is not set (the server's default order, the first page).
function stubFetch() {
  const urls = [];
  vi.stubGlobal('fetch', async (url) => {
    urls.push(url);
    return new Response(JSON.stringify({ items: [], next_cursor: null }), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return urls;
}

afterEach(() => vi.unstubAllGlobals());

describe('paged lists', () => {
  it('grants: as, sort and cursor', async () => {
    const urls = stubFetch();
    await api.grants({ as: 'provider', cursor: undefined, sort: undefined });
    await api.grants({ as: 'consumer', cursor: 'valid_to.d.gr_ab12.1790733600', sort: '-valid_to' });
    expect(urls).toEqual(['/api/v1/grants?as=provider', '/api/v1/grants?as=consumer&cursor=valid_to.d.gr_ab12.1790733600&sort=-valid_to']);
  });

  it('datasets and stale datasets: q, limit, sort and cursor', async () => {
    const urls = stubFetch();
    await api.datasets({ q: '人口', limit: 20, cursor: undefined, sort: 'name' });
    await api.staleDatasets({ q: undefined, limit: 20, cursor: 'row_count.d.7.0', sort: '-row_count' });
    expect(urls).toEqual([
      '/api/v1/datasets?q=%E4%BA%BA%E5%8F%A3&limit=20&sort=name',
      '/api/v1/datasets/stale?limit=20&cursor=row_count.d.7.0&sort=-row_count',
    ]);
  });
});
