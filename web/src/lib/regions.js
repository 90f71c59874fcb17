import { api } from '../api/index.js';

/** Builds a forest from the flat region list (parent_id links), children sorted by division code then name. */
export function buildRegionTree(items) {
  const byId = new Map();
  for (const r of items || []) byId.set(r.id, { ...r, children: [] });
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.parent_id != null ? byId.get(node.parent_id) : null;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const key = (n) => (n.division_code ? `0${n.division_code}` : `1${n.name}`);
  const sort = (list) => {
    list.sort((a, b) => key(a).localeCompare(key(b)));
    for (const n of list) {
      if (n.children.length) sort(n.children);
      else delete n.children;
    }
  };
  sort(roots);
  return roots;
}

/** Keeps nodes whose name or code contains q, plus their ancestors. */
export function filterRegionTree(nodes, q) {
  const needle = (q || '').trim().toLowerCase();
  if (!needle) return nodes;
  const out = [];
  for (const n of nodes) {
    const kids = n.children ? filterRegionTree(n.children, q) : [];
    const hit = n.name.toLowerCase().includes(needle) || String(n.division_code || '').includes(needle) || String(n.id).toLowerCase() === needle;
    if (hit || kids.length) out.push({ ...n, children: hit && n.children && !kids.length ? n.children : kids.length ? kids : undefined });
  }
  return out;
}

let cache = null;
/** Regions change rarely: fetched once per page load (a failed fetch is retried next time). */
export function loadRegions() {
  if (!cache) {
    cache = api.regions().then(
      (r) => (r && r.items) || [],
      (e) => {
        cache = null;
        throw e;
      },
    );
  }
  return cache;
}
export function clearRegionCache() {
  cache = null;
}
