// Checking one audit record in the browser, as docs/AUDIT.md tells an inspector to do it offline: re-encode the record
// canonically, hash it as an RFC 9162 leaf, walk its inclusion proof up to the root of the latest signed tree head and
// check the head's Ed25519 signature with the platform's public key. Nothing here trusts the server's own verdict: the
// server only supplies the record, the head, the key and the audit path. Pure functions; SHA-256 is WebCrypto's.
import { verifyAsync } from '@noble/ed25519';

const MAGIC = 'GSAR1';
// The 18 fields of the canonical encoding, in order (docs/AUDIT.md, src/audit/record.cpp Encode).
export const RECORD_FIELDS = [
  'time_us',
  'actor_kind',
  'actor_id',
  'actor_name',
  'department_id',
  'role',
  'action',
  'target',
  'decision',
  'reason',
  'grant_id',
  'scenario',
  'business_ref',
  'fields',
  'row_count',
  'content_hash',
  'client_address',
  'request_id',
];
const INTEGER_FIELDS = new Set(['time_us', 'actor_id', 'department_id', 'row_count']);

const utf8 = new TextEncoder();

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Lower- or upper-case hex to bytes; null when it is not an even run of hex digits. */
export function fromHex(hex) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An integer field as decimal ASCII (int64 values beyond 2^53 arrive as text or BigInt and are kept exact). */
function integerText(v) {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return v;
  if (v == null) return '0';
  throw new Error(`not an integer: ${v}`);
}

/** The record's canonical bytes: "GSAR1", then each field as a 4-byte big-endian length and its UTF-8 bytes. */
export function encodeRecord(record) {
  const parts = [utf8.encode(MAGIC)];
  for (const name of RECORD_FIELDS) {
    const v = record[name];
    const bytes = utf8.encode(INTEGER_FIELDS.has(name) ? integerText(v) : v == null ? '' : String(v));
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length, false);
    parts.push(len, bytes);
  }
  return concat(...parts);
}

/** Browsers offer WebCrypto only in secure contexts (HTTPS, localhost): elsewhere nothing here can be checked. */
export const webCryptoAvailable = () => !!(globalThis.crypto && globalThis.crypto.subtle);

export async function sha256(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 9162 §2.1.1: the leaf hash is SHA-256(0x00 ‖ leaf). */
export const leafHash = (bytes) => sha256(concat(Uint8Array.of(0), bytes));
/** RFC 9162 §2.1.1: an inner node is SHA-256(0x01 ‖ left ‖ right). */
export const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

/**
 * RFC 9162 §2.1.3.2: the root that an inclusion proof (audit path, bottom up) leads to from the leaf at `index` of a
 * tree of `size` leaves; null when the path has the wrong length for that position.
 */
export async function rootFromInclusionProof(index, size, leaf, path) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  const half = (x) => Math.floor(x / 2);
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** The text a tree head signs (docs/AUDIT.md): no trailing newline. */
export function treeHeadMessage(treeSize, rootHex, timestampMs) {
  return `govshare-sth-v1\n${treeSize}\n${String(rootHex).toLowerCase()}\n${timestampMs}`;
}

/** Ed25519 over the UTF-8 message; false (never a throw) for a malformed key or signature. */
export async function verifySignature(publicKeyHex, signatureHex, message) {
  const key = fromHex(publicKeyHex);
  const sig = fromHex(signatureHex);
  if (!key || key.length !== 32 || !sig || sig.length !== 64) return false;
  try {
    return await verifyAsync(sig, utf8.encode(message), key);
  } catch {
    return false;
  }
}

/**
 * Checks a record against a signed tree head. Inputs are the API's answers: record (GET /audit/records/{i}), sth
 * (GET /audit/sth), key (GET /audit/key), proof (GET /audit/proof/inclusion?leaf_index=i&tree_size=sth.tree_size).
 * Returns {ok, steps:[{id, ok, detail}]} with the steps in order: `leaf` (the re-encoded record hashes to the leaf hash
 * the log holds), `path` (the audit path leads from that leaf to the head's root), `signature` (the head is signed by
 * the key). A step after a failed one still runs, so that the page can show everything that does or does not hold.
 */
export async function verifyRecord({ record, sth, key, proof }) {
  const steps = [];
  const leaf = await leafHash(encodeRecord(record));
  const leafHex = toHex(leaf);
  const stored = String(record.leaf_hash || '').toLowerCase();
  steps.push({
    id: 'leaf',
    ok: leafHex === stored && (!proof.leaf_hash || String(proof.leaf_hash).toLowerCase() === leafHex),
    detail: { computed: leafHex, stored },
  });

  const path = (proof.audit_path || []).map(fromHex);
  const sameTree = proof.leaf_index === record.leaf_index && proof.tree_size === sth.tree_size;
  const root = path.every((p) => p && p.length === 32) && sameTree ? await rootFromInclusionProof(record.leaf_index, sth.tree_size, leaf, path) : null;
  const rootHex = root ? toHex(root) : '';
  steps.push({
    id: 'path',
    ok: !!root && rootHex === String(sth.root_hash).toLowerCase(),
    detail: { computed: rootHex, signed: sth.root_hash, tree_size: sth.tree_size, path_length: path.length },
  });

  const message = treeHeadMessage(sth.tree_size, sth.root_hash, sth.timestamp_ms);
  steps.push({
    id: 'signature',
    ok: (sth.signed_message == null || sth.signed_message === message) && (await verifySignature(key.public_key, sth.signature, message)),
    detail: { algorithm: key.algorithm || 'Ed25519', public_key: key.public_key, message },
  });
  return { ok: steps.every((s) => s.ok), steps };
}

/** True when the signed head covers the record (a head is signed about every second while records arrive). */
export const headCovers = (sth, record) => !!sth && Number(sth.tree_size) > Number(record.leaf_index);

/**
 * Fetches what verifyRecord needs from the server (`api` has auditSth, auditKey, auditInclusion) and verifies. A record
 * newer than the latest head is waited for: the head is fetched again up to `attempts` times, `delayMs` apart. Returns
 * verifyRecord's answer plus {sth}, {ok:false, pending:true} when no head covers the record yet, or
 * {ok:false, unavailable:true} when the page has no WebCrypto (served over plain HTTP to another host).
 */
export async function verifyWithServer(api, record, { attempts = 5, delayMs = 1000, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) } = {}) {
  if (!webCryptoAvailable()) return { ok: false, unavailable: true, steps: [], sth: null };
  let sth = null;
  for (let i = 0; i < attempts; i++) {
    sth = await api.auditSth();
    if (headCovers(sth, record)) break;
    if (i + 1 < attempts) await sleep(delayMs);
  }
  if (!headCovers(sth, record)) return { ok: false, pending: true, steps: [], sth };
  const [key, proof] = await Promise.all([api.auditKey(), api.auditInclusion(record.leaf_index, sth.tree_size)]);
  return { ...(await verifyRecord({ record, sth, key, proof })), sth };
}

/**
 * The query of GET /audit/records from the page's filters: range ([Date|number, Date|number] in ms) → from_us/to_us,
 * ids as integers, texts trimmed; empty values left out.
 */
export function auditQuery(filters) {
  const q = {};
  const range = filters.range;
  if (Array.isArray(range) && range.length === 2 && range[0] != null && range[1] != null) {
    q.from_us = Math.floor(new Date(range[0]).getTime()) * 1000;
    q.to_us = Math.floor(new Date(range[1]).getTime()) * 1000;
  }
  for (const k of ['actor_id', 'department_id']) {
    const n = Number(filters[k]);
    if (filters[k] !== '' && filters[k] != null && Number.isInteger(n) && n >= 0) q[k] = n;
  }
  for (const k of ['action', 'decision', 'grant_id']) {
    const v = typeof filters[k] === 'string' ? filters[k].trim() : '';
    if (v) q[k] = v;
  }
  return q;
}

/** Element Plus tag type of a decision. */
export const decisionTag = (d) => ({ allow: 'success', deny: 'danger', intent: 'info' })[d] || 'info';
