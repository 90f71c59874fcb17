import { describe, it, expect, vi } from 'vitest';
vi.mock('../src/api/index.js', () => ({ api: {} }));
const { buildRegionTree, filterRegionTree } = await import('../src/lib/regions.js');

const items = [
  { id: 2, division_code: '130100', name: '石家庄市', level: 'city', parent_id: 1 },
  { id: 1, division_code: '130000', name: '河北省', level: 'province', parent_id: null },
  { id: 'xiongan', division_code: null, name: '雄安新区', level: 'city', parent_id: 1 },
  { id: 3, division_code: '130102', name: '长安区', level: 'county', parent_id: 2 },
];

describe('region tree', () => {
  it('nests by parent_id and sorts coded regions before uncoded ones', () => {
    const tree = buildRegionTree(items);
    expect(tree).toHaveLength(1);
    expect(tree[0].name).toBe('河北省');
    expect(tree[0].children.map((c) => c.id)).toEqual([2, 'xiongan']);
    expect(tree[0].children[0].children[0].name).toBe('长安区');
    expect(tree[0].children[1].children).toBeUndefined();
  });
  it('filters keeping ancestors', () => {
    const f = filterRegionTree(buildRegionTree(items), '长安');
    expect(f[0].name).toBe('河北省');
    expect(f[0].children.map((c) => c.name)).toEqual(['石家庄市']);
    expect(f[0].children[0].children.map((c) => c.name)).toEqual(['长安区']);
    expect(filterRegionTree(buildRegionTree(items), '雄安')[0].children.map((c) => c.id)).toEqual(['xiongan']);
  });
});
