// Lifeline offline pass verifier: the browser twin of lifeline.passes.credential.verify.
//
// Plain ES2020 module, no build step, no dependencies. Needs WebCrypto (crypto.subtle) and
// DecompressionStream('deflate'), i.e. any current browser or Node >= 20.
//
//   import { verifyPass } from './verifier.js';
//   const r = await verifyPass(text, { keys, revokedHashes, now });
//   // r = { status, reason, claims } — claims only when the signature verified.
//
// `keys` is KeyList.to_json() as served by the server (or just its `keys` array); imported
// CryptoKeys are cached per key list object. `revokedHashes` is RevocationStore.hashes_hex()
// (an Array or a Set of hex strings). `now` is UTC epoch seconds (default: the device clock).
//
// Order matters and mirrors the Python side: text -> COSE envelope -> algorithm (must be
// ES256 in the *protected* header) -> kid -> signature, and only then are claims decoded.

const PREFIX = 'LL1:';
const MAX_TEXT_CHARS = 535;
const MAX_COSE_BYTES = 4096;
const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const COSE_SIGN1_TAG = 18;
const HDR_ALG = 1;
const HDR_KID = 4;
const ALG_ES256 = -7;
const KID_LEN = 8;
const HALF_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551n >> 1n;
const HASH_DOMAIN = 'lifeline/revocation/v1\u0000';
const HASH_LEN = 16;

// Claim keys (CWT: 1 iss, 4 exp, 5 nbf, 6 iat; negative keys are ours).
const CLAIM = { iss: 1, exp: 4, nbf: 5, iat: 6, passId: -1, passType: -2, scope: -3,
  holder: -4, household: -5 };
const REQUIRED_CLAIMS = [1, 4, 5, 6, -1, -2, -3, -4];
const KNOWN_CLAIMS = new Set([...REQUIRED_CLAIMS, -5]);

export const Status = Object.freeze({
  OK: 'ok',
  INVALID_FORMAT: 'invalid_format',
  UNKNOWN_KEY: 'unknown_key',
  BAD_SIGNATURE: 'bad_signature',
  WRONG_ALGORITHM: 'wrong_algorithm',
  NOT_YET_VALID: 'not_yet_valid',
  EXPIRED: 'expired',
  REVOKED: 'revoked',
  KEY_NOT_VALID_AT_ISSUE: 'key_not_valid_at_issue',
  WRONG_ISSUER: 'wrong_issuer',
});

class FormatError extends Error {}

class Tagged {
  constructor(tag, value) { this.tag = tag; this.value = value; }
}

// ---- Base45 (RFC 9285) -------------------------------------------------------------------

export function b45decode(text) {
  const n = text.length;
  if (n % 3 === 1) throw new FormatError('Base45 length is 1 mod 3');
  const out = new Uint8Array(Math.floor(n / 3) * 2 + (n % 3 === 2 ? 1 : 0));
  const digit = (i) => {
    const d = B45.indexOf(text[i]);
    if (d < 0) throw new FormatError('character outside the Base45 alphabet');
    return d;
  };
  let o = 0;
  for (let i = 0; i < n; i += 3) {
    if (n - i >= 3) {
      const v = digit(i) + digit(i + 1) * 45 + digit(i + 2) * 2025;
      if (v > 0xffff) throw new FormatError('Base45 triple out of range');
      out[o++] = v >> 8;
      out[o++] = v & 0xff;
    } else {
      const v = digit(i) + digit(i + 1) * 45;
      if (v > 0xff) throw new FormatError('Base45 pair out of range');
      out[o++] = v;
    }
  }
  return out;
}

// ---- zlib ---------------------------------------------------------------------------------

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_COSE_BYTES) throw new FormatError('decompressed pass is too large');
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e instanceof FormatError ? e : new FormatError('not a zlib stream');
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

// ---- Minimal strict CBOR (RFC 8949) --------------------------------------------------------
// Enough for our structures: ints, byte/text strings, arrays, maps, tags, true/false/null.
// Definite lengths with minimal heads only; no floats; no duplicate map keys.

const utf8 = new TextDecoder('utf-8', { fatal: true });

function cborDecode(bytes) {
  let p = 0;
  const need = (k) => { if (p + k > bytes.length) throw new FormatError('truncated CBOR'); };
  const readArg = (ai) => {
    if (ai < 24) return ai;
    if (ai === 24) { need(1); const v = bytes[p]; p += 1; if (v < 24) throw new FormatError('non-minimal CBOR'); return v; }
    if (ai === 25) { need(2); const v = (bytes[p] << 8) | bytes[p + 1]; p += 2; if (v < 0x100) throw new FormatError('non-minimal CBOR'); return v; }
    if (ai === 26) {
      need(4);
      const v = ((bytes[p] << 24) >>> 0) + (bytes[p + 1] << 16) + (bytes[p + 2] << 8) + bytes[p + 3];
      p += 4;
      if (v < 0x10000) throw new FormatError('non-minimal CBOR');
      return v;
    }
    if (ai === 27) {
      need(8);
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(bytes[p + i]);
      p += 8;
      if (v < 0x100000000n) throw new FormatError('non-minimal CBOR');
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('CBOR integer too large');
      return Number(v);
    }
    throw new FormatError('indefinite or reserved CBOR length');
  };
  const item = (depth) => {
    if (depth > 16) throw new FormatError('CBOR nested too deeply');
    need(1);
    const ib = bytes[p]; p += 1;
    const major = ib >> 5;
    const ai = ib & 31;
    if (major === 7) {
      if (ai === 20) return false;
      if (ai === 21) return true;
      if (ai === 22) return null;
      throw new FormatError('unsupported CBOR simple value or float');
    }
    const arg = readArg(ai);
    switch (major) {
      case 0: return arg;
      case 1: return -1 - arg;
      case 2: { need(arg); const v = bytes.slice(p, p + arg); p += arg; return v; }
      case 3: {
        need(arg);
        let v;
        try { v = utf8.decode(bytes.subarray(p, p + arg)); } catch { throw new FormatError('bad UTF-8'); }
        p += arg;
        return v;
      }
      case 4: { const a = []; for (let i = 0; i < arg; i++) a.push(item(depth + 1)); return a; }
      case 5: {
        const m = new Map();
        for (let i = 0; i < arg; i++) {
          const k = item(depth + 1);
          if (typeof k !== 'number' && typeof k !== 'string') throw new FormatError('bad map key');
          if (m.has(k)) throw new FormatError('duplicate map key');
          m.set(k, item(depth + 1));
        }
        return m;
      }
      default: return new Tagged(arg, item(depth + 1)); // major 6
    }
  };
  const value = item(0);
  if (p !== bytes.length) throw new FormatError('trailing bytes after CBOR item');
  return value;
}

function cborHead(major, n) {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

// CBOR of ["Signature1", protected, external_aad = h'', payload] (RFC 9052 §4.4).
function sigStructure(protectedBytes, payload) {
  const context = new TextEncoder().encode('Signature1');
  const parts = [
    cborHead(4, 4),
    cborHead(3, context.length), context,
    cborHead(2, protectedBytes.length), protectedBytes,
    cborHead(2, 0),
    cborHead(2, payload.length), payload,
  ];
  const out = new Uint8Array(parts.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of parts) { out.set(x, o); o += x.length; }
  return out;
}

// ---- Keys and revocations -----------------------------------------------------------------

const b64url = (bytes) => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

const keyIndexCache = new WeakMap();

function keyIndex(keys) {
  let index = keyIndexCache.get(keys);
  if (!index) {
    index = new Map();
    for (const entry of Array.isArray(keys) ? keys : keys.keys) {
      index.set(entry.kid, { entry, cryptoKey: null });
    }
    keyIndexCache.set(keys, index);
  }
  return index;
}

async function cryptoKeyFor(slot) {
  if (!slot.cryptoKey) {
    const { kty, crv, x, y } = slot.entry.jwk;
    slot.cryptoKey = crypto.subtle.importKey(
      'jwk', { kty, crv, x, y, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false,
      ['verify'],
    );
  }
  return slot.cryptoKey;
}

const revokedCache = new WeakMap();

function revokedSet(revokedHashes) {
  if (!revokedHashes) return new Set();
  if (revokedHashes instanceof Set) return revokedHashes;
  let set = revokedCache.get(revokedHashes);
  if (!set) { set = new Set(revokedHashes); revokedCache.set(revokedHashes, set); }
  return set;
}

export async function revocationHash(passId) {
  const data = new TextEncoder().encode(HASH_DOMAIN + passId);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return hex(digest.subarray(0, HASH_LEN));
}

// ---- Claims -------------------------------------------------------------------------------

const isTime = (v) => Number.isSafeInteger(v) && v >= 0;
const isText = (v) => typeof v === 'string' && v.length > 0;

function decodeClaims(payload) {
  const m = cborDecode(payload);
  if (!(m instanceof Map)) throw new FormatError('claims must be a map');
  for (const k of m.keys()) if (!KNOWN_CLAIMS.has(k)) throw new FormatError(`unknown claim ${k}`);
  for (const k of REQUIRED_CLAIMS) if (!m.has(k)) throw new FormatError(`missing claim ${k}`);
  const scope = m.get(CLAIM.scope);
  const household = m.has(CLAIM.household) ? m.get(CLAIM.household) : null;
  const ok = isText(m.get(CLAIM.iss)) && isText(m.get(CLAIM.passId))
    && isText(m.get(CLAIM.passType)) && isText(m.get(CLAIM.holder))
    && isTime(m.get(CLAIM.nbf)) && isTime(m.get(CLAIM.exp)) && isTime(m.get(CLAIM.iat))
    && m.get(CLAIM.nbf) < m.get(CLAIM.exp)
    && (isText(scope) || (Array.isArray(scope) && scope.length > 0 && scope.every(isText)))
    && (household === null || isText(household));
  if (!ok) throw new FormatError('claims have wrong types or values');
  return {
    passId: m.get(CLAIM.passId),
    passType: m.get(CLAIM.passType),
    issuer: m.get(CLAIM.iss),
    validFrom: m.get(CLAIM.nbf),
    validUntil: m.get(CLAIM.exp),
    issuedAt: m.get(CLAIM.iat),
    scope,
    holder: m.get(CLAIM.holder),
    householdRef: household,
  };
}

// ---- Verification -------------------------------------------------------------------------

const result = (status, reason, claims = null) => ({ status, reason, claims });

function parseEnvelope(cose) {
  const obj = cborDecode(cose);
  if (!(obj instanceof Tagged) || obj.tag !== COSE_SIGN1_TAG) throw new FormatError('not a tagged COSE_Sign1');
  if (!Array.isArray(obj.value) || obj.value.length !== 4) throw new FormatError('COSE_Sign1 must have four items');
  const [protectedBytes, unprotected, payload, signature] = obj.value;
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map)
      || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new FormatError('COSE_Sign1 items have the wrong types');
  }
  const header = cborDecode(protectedBytes);
  if (!(header instanceof Map)) throw new FormatError('protected header must be a map');
  return { protectedBytes, unprotected, payload, signature, header };
}

/**
 * Verify an "LL1:" pass text offline. Never throws on bad input; resolves to
 * { status, reason, claims } where claims is non-null only if the signature verified.
 */
export async function verifyPass(text, { keys, revokedHashes, now } = {}) {
  if (now === undefined) now = Math.floor(Date.now() / 1000);
  if (typeof text !== 'string') return result(Status.INVALID_FORMAT, 'not a pass text');
  text = text.replace(/[\r\n]+$/, '');
  if (!text.startsWith(PREFIX) || text.length > MAX_TEXT_CHARS) {
    return result(Status.INVALID_FORMAT, 'not a pass text');
  }
  let env;
  try {
    env = parseEnvelope(await inflate(b45decode(text.slice(PREFIX.length))));
  } catch (e) {
    if (e instanceof FormatError) return result(Status.INVALID_FORMAT, `malformed pass: ${e.message}`);
    throw e;
  }
  const { protectedBytes, unprotected, payload, signature, header } = env;
  // The attacker controls the unprotected header: an algorithm there is an attack.
  if (unprotected.has(HDR_ALG)) return result(Status.WRONG_ALGORITHM, 'algorithm must be protected');
  if (header.get(HDR_ALG) !== ALG_ES256) return result(Status.WRONG_ALGORITHM, 'only ES256 is accepted');
  const kid = header.get(HDR_KID);
  if (header.size !== 2 || unprotected.size !== 0 || !(kid instanceof Uint8Array) || kid.length !== KID_LEN) {
    return result(Status.INVALID_FORMAT, 'malformed COSE headers');
  }
  const slot = keyIndex(keys).get(b64url(kid));
  if (!slot) return result(Status.UNKNOWN_KEY, 'signed by a key we do not know');
  if (signature.length !== 64) return result(Status.BAD_SIGNATURE, 'signature must be 64 bytes');
  const s = BigInt('0x' + hex(signature.subarray(32)));
  if (s === 0n || s > HALF_N) return result(Status.BAD_SIGNATURE, 'signature is not canonical');
  let valid = false;
  try {
    valid = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' }, await cryptoKeyFor(slot), signature,
      sigStructure(protectedBytes, payload),
    );
  } catch {
    valid = false;
  }
  if (!valid) return result(Status.BAD_SIGNATURE, 'forged or altered pass');

  // Authentic from here on.
  let claims;
  try {
    claims = decodeClaims(payload);
  } catch (e) {
    if (e instanceof FormatError) return result(Status.INVALID_FORMAT, `signed but malformed claims: ${e.message}`);
    throw e;
  }
  const { entry } = slot;
  if (entry.unit !== claims.issuer) return result(Status.WRONG_ISSUER, 'signed by another unit', claims);
  if (claims.issuedAt < entry.not_before || (entry.not_after != null && claims.issuedAt >= entry.not_after)) {
    return result(Status.KEY_NOT_VALID_AT_ISSUE, 'the signing key was not in service at issue', claims);
  }
  if (now < claims.validFrom) return result(Status.NOT_YET_VALID, 'the pass is not valid yet', claims);
  if (now >= claims.validUntil) return result(Status.EXPIRED, 'the pass has expired', claims);
  if (revokedSet(revokedHashes).has(await revocationHash(claims.passId))) {
    return result(Status.REVOKED, 'the pass has been revoked', claims);
  }
  return result(Status.OK, 'valid pass', claims);
}
