import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import {
  auditQuery,
  encodeRecord,
  fromHex,
  headCovers,
  leafHash,
  rootFromInclusionProof,
  toHex,
  treeHeadMessage,
  verifyRecord,
  verifyWithServer,
} from '../src/lib/auditVerify.js';

// Independent reference implementation with node:crypto, straight from RFC 9162's recursive definitions.
const H = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();
const refLeaf = (bytes) => H([0], bytes);
const split = (n) => 2 ** Math.floor(Math.log2(n - 1));
function mth(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return H([1], mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function refPath(m, leaves) {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k ? [...refPath(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...refPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function record(i) {
  return {
    leaf_index: i,
    time_us: 1790733600000000 + i,
    actor_kind: 'application',
    actor_id: 3,
    actor_name: '社保待遇资格认证系统',
    department_id: 12,
    role: '',
    action: 'GET /api/v1/data/{dataset}/records/{key}',
    target: `/api/v1/data/7/records/13010219800101007${i}`,
    decision: 'allow',
    reason: '',
    grant_id: 'gr_abc',
    scenario: '养老保险待遇资格认证',
    business_ref: `SB-2026-${i}`,
    fields: '公民身份号码,姓名',
    row_count: 1,
    content_hash: 'ab'.repeat(32),
    client_address: '127.0.0.1',
    request_id: `req-${i}`,
  };
}

/** A small log of n records, its signed head and the server's answers for leaf m, all made with node:crypto. */
function fixture(n, m) {
  const records = Array.from({ length: n }, (_, i) => record(i));
  const leaves = records.map((r) => refLeaf(encodeRecord(r)));
  for (let i = 0; i < n; i++) records[i].leaf_hash = leaves[i].toString('hex');
  const root = mth(leaves).toString('hex');
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const message = treeHeadMessage(n, root, 1790733601234);
  const signature = crypto.sign(null, Buffer.from(message, 'utf8'), privateKey).toString('hex');
  return {
    record: records[m],
    sth: { tree_size: n, root_hash: root, timestamp_ms: 1790733601234, signature, signed_message: message },
    key: { algorithm: 'Ed25519', public_key: raw.toString('hex') },
    proof: { leaf_index: m, tree_size: n, leaf_hash: records[m].leaf_hash, audit_path: refPath(m, leaves).map((h) => h.toString('hex')) },
  };
}

describe('audit record encoding', () => {
  it('is GSAR1 then each field as a 4-byte big-endian length and its bytes, integers as decimal text', () => {
    const r = Object.fromEntries(Object.keys(record(0)).map((k) => [k, '']));
    Object.assign(r, { time_us: 42, actor_id: 7, department_id: 0, row_count: 0, actor_kind: 'user', actor_name: '张' });
    const hex = toHex(encodeRecord(r));
    const field = (s) => {
      const b = Buffer.from(s, 'utf8');
      return b.length.toString(16).padStart(8, '0') + b.toString('hex');
    };
    const expected =
      Buffer.from('GSAR1').toString('hex') +
      field('42') +
      field('user') +
      field('7') +
      field('张') +
      field('0') +
      field('').repeat(9) +
      field('0') +
      field('').repeat(3);
    expect(hex).toBe(expected);
    expect(hex.slice(10, 22)).toBe('000000023432');
  });
});

describe('RFC 9162 Merkle proofs', () => {
  // The certificate-transparency test leaves and the known answers of src/audit/merkle_test.cpp.
  const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
  it('walks the known inclusion proof of leaf 2 in the tree of 7 to its known root', async () => {
    const leaf = await leafHash(fromHex(LEAVES[2]));
    const path = ['07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7', 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125', '837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e'].map(fromHex);
    const root = await rootFromInclusionProof(2, 7, leaf, path);
    expect(toHex(root)).toBe('ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c');
    // The leaf hash of the empty leaf is the known first root.
    expect(toHex(await leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  });
  it('agrees with the reference for every leaf of every size up to 17; a path of the wrong length fails', async () => {
    for (let n = 1; n <= 17; n++) {
      const leaves = Array.from({ length: n }, (_, i) => refLeaf(Buffer.from(`leaf ${i}`)));
      const root = mth(leaves).toString('hex');
      for (let m = 0; m < n; m++) {
        const path = refPath(m, leaves).map((h) => new Uint8Array(h));
        expect(toHex(await rootFromInclusionProof(m, n, new Uint8Array(leaves[m]), path)), `${m}/${n}`).toBe(root);
        if (path.length) expect(await rootFromInclusionProof(m, n, new Uint8Array(leaves[m]), path.slice(1))).toBeNull();
      }
    }
    expect(await rootFromInclusionProof(3, 3, new Uint8Array(32), [])).toBeNull();
  });
});

describe('verifyRecord', () => {
  it('accepts a record of a small log signed with Ed25519 (leaf, path, signature all ✓)', async () => {
    const f = fixture(5, 3);
    const v = await verifyRecord(f);
    expect(v.steps.map((s) => [s.id, s.ok])).toEqual([
      ['leaf', true],
      ['path', true],
      ['signature', true],
    ]);
    expect(v.ok).toBe(true);
    expect(v.steps[0].detail.computed).toBe(f.record.leaf_hash);
  });
  it('refuses a record with one changed byte: its leaf and so its path fail', async () => {
    const f = fixture(5, 3);
    const tampered = { ...f.record, business_ref: f.record.business_ref.replace('3', '4') };
    const v = await verifyRecord({ ...f, record: tampered });
    expect(v.ok).toBe(false);
    expect(v.steps.find((s) => s.id === 'leaf').ok).toBe(false);
    expect(v.steps.find((s) => s.id === 'path').ok).toBe(false);
    expect(v.steps.find((s) => s.id === 'signature').ok).toBe(true);
  });
  it('refuses a changed root, a changed signature, another key and a changed audit path', async () => {
    const f = fixture(6, 0);
    const flip = (hex) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
    const bad = async (patch) => (await verifyRecord({ ...f, ...patch })).ok;
    expect(await bad({ sth: { ...f.sth, root_hash: flip(f.sth.root_hash), signed_message: undefined } })).toBe(false);
    expect(await bad({ sth: { ...f.sth, signature: flip(f.sth.signature) } })).toBe(false);
    expect(await bad({ key: { ...f.key, public_key: fixture(2, 0).key.public_key } })).toBe(false);
    expect(await bad({ key: { ...f.key, public_key: 'zz' } })).toBe(false);
    expect(await bad({ proof: { ...f.proof, audit_path: [flip(f.proof.audit_path[0]), ...f.proof.audit_path.slice(1)] } })).toBe(false);
    expect(await bad({ sth: { ...f.sth, signed_message: f.sth.signed_message + '\n' } })).toBe(false);
    expect(await bad({})).toBe(true);
  });
});

describe('verifyWithServer', () => {
  it('waits for a head that covers the record, then verifies', async () => {
    const f = fixture(4, 3);
    let calls = 0;
    const api = {
      auditSth: async () => (++calls < 3 ? { ...f.sth, tree_size: 3 } : f.sth),
      auditKey: async () => f.key,
      auditInclusion: async (i, n) => (i === 3 && n === 4 ? f.proof : null),
    };
    const v = await verifyWithServer(api, f.record, { sleep: async () => {} });
    expect(calls).toBe(3);
    expect(v.ok).toBe(true);
    expect(v.sth.tree_size).toBe(4);
    const never = await verifyWithServer({ ...api, auditSth: async () => ({ tree_size: 1 }) }, f.record, { attempts: 2, sleep: async () => {} });
    expect(never).toMatchObject({ ok: false, pending: true });
    expect(headCovers(null, f.record)).toBe(false);
  });
  it('says so instead of failing when the page has no WebCrypto (plain HTTP to another host)', async () => {
    const f = fixture(2, 1);
    const subtle = globalThis.crypto.subtle;
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
    try {
      const v = await verifyWithServer({ auditSth: async () => f.sth }, f.record, { sleep: async () => {} });
      expect(v).toMatchObject({ ok: false, unavailable: true });
    } finally {
      Object.defineProperty(globalThis.crypto, 'subtle', { value: subtle, configurable: true });
    }
  });
});

describe('auditQuery', () => {
  it('turns the filters into the API query', () => {
    const from = new Date('2026-11-26T00:00:00+08:00');
    const to = new Date('2026-11-27T00:00:00+08:00');
    expect(auditQuery({ range: [from, to], actor_id: 5, department_id: '', action: ' POST /api/v1/requests ', decision: 'deny', grant_id: '' })).toEqual({
      from_us: from.getTime() * 1000,
      to_us: to.getTime() * 1000,
      actor_id: 5,
      action: 'POST /api/v1/requests',
      decision: 'deny',
    });
    expect(auditQuery({ range: null, actor_id: null, department_id: 0 })).toEqual({ department_id: 0 });
  });
});
