import { createHash, createPublicKey, hash as digest, verify, type KeyObject } from 'node:crypto';
import { AUDIT_EXPORT_FORMAT, endSigningInput, headerDigest } from './auditExportFormat.js';
import type { AuditProblem, AuditVerifyFailure, AuditVerifyResult } from './AuditVerifyResult.js';
import { canonicalJson } from './canonicalJson.js';
import { checkpointSigningInput } from './checkpointSigningInput.js';
import { GENESIS_HASH } from './hashAuditRecord.js';

type Json = Record<string, unknown>;

const checkpointKeys = ['hash', 'keyId', 'seq', 'signature', 'time', 'type'];
const endKeys = ['checkpoints', 'hash', 'header', 'keyId', 'records', 'seq', 'signature', 'time', 'type'];
const headerKeys = ['exportedAt', 'format', 'keys', 'type'];

/**
 * Checks an audit export one line at a time (format: auditExportFormat.ts) from the genesis hash,
 * and stops at the first problem. Nothing here trusts the export: keys are taken from its header
 * but must match their thumbprints and, when the caller pins key ids, be among them.
 */
export class AuditChainVerifier {
  readonly #trusted: ReadonlySet<string> | undefined;
  readonly #keys = new Map<string, KeyObject>();
  #line = 0;
  #failure: AuditVerifyFailure | undefined;
  #ended = false;
  #headerDigest = '';
  #expectedSeq = 1;
  /** Hex hash of the last verified record, as bytes (a view into its line; compared without decoding). */
  #prevHashBytes: Uint8Array = Buffer.from(GENESIS_HASH, 'latin1');
  #checkpoints = 0;
  /** The last checkpoint that verified: every record up to it is vouched for by a signature. */
  #signedSeq = 0;
  /** A seq out of place: held until we know whether the missing record turns up later. */
  #gap: { expected: number; found: number; line: number } | undefined;

  constructor(trustedKeyIds?: readonly string[]) {
    this.#trusted = trustedKeyIds && new Set(trustedKeyIds);
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * Feeds one line (its bytes, without the newline). Returns false once the export has failed.
   * Record lines are checked on the bytes (no decoding: the hash is over the bytes anyway).
   */
  push(line: Buffer): boolean {
    this.#line++;
    if (this.#failure) return false;
    if (this.#gap) return this.#lookForMissing(line.toString('utf8'));
    if (this.#line > 1 && !this.#ended && isRecordLine(line)) return this.#record(line);
    const text = line.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#fail('malformed', this.#expectedSeq, 'line is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.#fail('malformed', this.#expectedSeq, 'line is not a JSON object');
    }
    const obj = value as Json;
    if (this.#line === 1) return this.#header(obj);
    if (this.#ended) return this.#fail('malformed', null, 'content after the end line');
    switch (obj['type']) {
      case 'record':
        return this.#fail('malformed', this.#expectedSeq, 'record line is not in the export format');
      case 'checkpoint':
        return this.#checkpoint(obj);
      case 'end':
        return this.#end(obj);
      default:
        return this.#fail('malformed', this.#expectedSeq, 'unknown line type');
    }
  }

  finish(): AuditVerifyResult {
    if (this.#gap) this.#reportGap(false);
    if (this.#failure) return this.#failure;
    if (this.#line === 0) this.#fail('malformed', null, 'the export is empty');
    else if (!this.#ended) {
      this.#fail(
        'truncated',
        this.#expectedSeq,
        `the export stops after record ${this.#expectedSeq - 1} without its signed end line; later records may have been cut off`,
      );
    }
    if (this.#failure) return this.#failure;
    return {
      ok: true,
      records: this.#expectedSeq - 1,
      checkpoints: this.#checkpoints,
      seq: this.#expectedSeq - 1,
      hash: this.#prevHash(),
      keyIds: [...this.#keys.keys()],
    };
  }

  #header(obj: Json): boolean {
    if (obj['type'] !== 'header' || obj['format'] !== AUDIT_EXPORT_FORMAT || !hasExactly(obj, headerKeys)) {
      return this.#fail('malformed', null, `the first line is not a ${AUDIT_EXPORT_FORMAT} header`);
    }
    this.#headerDigest = headerDigest(canonicalJson(obj));
    const keys = obj['keys'];
    if (!Array.isArray(keys) || keys.length === 0)
      return this.#fail('bad_key', null, 'the header carries no key');
    for (const jwk of keys as unknown[]) {
      const problem = this.#addKey(jwk);
      if (problem) return this.#fail('bad_key', null, problem);
    }
    return true;
  }

  #addKey(jwk: unknown): string | undefined {
    if (typeof jwk !== 'object' || jwk === null) return 'a header key is not a JWK';
    const { kty, crv, x, kid } = jwk as Json;
    if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string' || typeof kid !== 'string') {
      return 'a header key is not an Ed25519 public JWK';
    }
    // RFC 7638 §3.2: the thumbprint of an OKP key hashes exactly {crv, kty, x}.
    const thumbprint = createHash('sha256').update(canonicalJson({ crv, kty, x })).digest('base64url');
    if (thumbprint !== kid) return `key ${kid} does not match its thumbprint`;
    if (this.#trusted && !this.#trusted.has(kid)) return `key ${kid} is not one of the trusted key ids`;
    try {
      this.#keys.set(kid, createPublicKey({ key: { kty, crv, x }, format: 'jwk' }));
    } catch {
      return `key ${kid} is not a valid Ed25519 key`;
    }
    return undefined;
  }

  #prevHash(): string {
    return Buffer.from(this.#prevHashBytes).toString('latin1');
  }

  #record(line: Buffer): boolean {
    const body = line.subarray(RECORD_BODY_AT, line.length - RECORD_SUFFIX.length);
    const fields = recordFields(body);
    if (!fields) return this.#fail('malformed', this.#expectedSeq, 'record lacks seq or prevHash');
    const { seq: n, prevHash } = fields;
    if (n !== this.#expectedSeq) {
      if (n < this.#expectedSeq) {
        return this.#fail('reordered', n, `record ${n} appears again after record ${this.#expectedSeq - 1}`);
      }
      this.#gap = { expected: this.#expectedSeq, found: n, line: this.#line };
      return true;
    }
    // The hash is over the body bytes exactly as they stand (see recordLine).
    if (!sameAscii(digest('sha256', body, 'hex'), line, RECORD_HASH_AT)) {
      return this.#fail('edited', n, `record ${n} does not match its hash`);
    }
    if (!sameBytes(prevHash, this.#prevHashBytes)) {
      // This record is intact, so either the previous one was changed and re-hashed, or this
      // one's link was: the earlier of the two is the first that cannot be trusted.
      const suspect = Math.max(1, n - 1);
      return this.#fail(
        'edited',
        suspect,
        `record ${n} does not chain to record ${n - 1}: record ${suspect} was altered`,
      );
    }
    this.#prevHashBytes = line.subarray(RECORD_HASH_AT, RECORD_HASH_AT + 64);
    this.#expectedSeq = n + 1;
    return true;
  }

  #checkpoint(obj: Json): boolean {
    const { seq, hash, time, keyId, signature } = obj;
    if (
      !hasExactly(obj, checkpointKeys) ||
      !Number.isSafeInteger(seq) ||
      typeof hash !== 'string' ||
      !Number.isSafeInteger(time) ||
      typeof keyId !== 'string' ||
      typeof signature !== 'string'
    ) {
      return this.#fail('malformed', this.#signedSeq + 1, 'checkpoint line is malformed');
    }
    const n = seq as number;
    const last = this.#expectedSeq - 1;
    if (n !== last || n <= this.#signedSeq) {
      return this.#fail('reordered', Math.max(1, n), `checkpoint ${n} is not right after record ${n}`);
    }
    const signed = checkpointSigningInput({ seq: n, hash, time: time as number });
    const problem = this.#checkSignature(keyId, signed, signature, `checkpoint ${n}`);
    if (problem) return this.#failCovered(problem.kind, n, problem.message);
    if (hash !== this.#prevHash()) {
      return this.#failCovered(
        'bad_checkpoint',
        n,
        `checkpoint ${n} does not match record ${n}: records were rewritten`,
      );
    }
    this.#signedSeq = n;
    this.#checkpoints++;
    return true;
  }

  #end(obj: Json): boolean {
    const { seq, hash, records, checkpoints, time, keyId, signature } = obj;
    if (
      !hasExactly(obj, endKeys) ||
      !Number.isSafeInteger(seq) ||
      typeof hash !== 'string' ||
      !Number.isSafeInteger(records) ||
      !Number.isSafeInteger(checkpoints) ||
      !Number.isSafeInteger(time) ||
      typeof keyId !== 'string' ||
      typeof signature !== 'string'
    ) {
      return this.#fail('malformed', null, 'end line is malformed');
    }
    this.#ended = true;
    const problem = this.#checkSignature(keyId, endSigningInput(obj), signature, 'the end line');
    if (problem) return this.#failCovered(problem.kind, this.#expectedSeq - 1, problem.message);
    const last = this.#expectedSeq - 1;
    if (seq !== last || records !== last) {
      const firstMissing = Math.min(last, (seq as number) - 1) + 1;
      return this.#fail(
        'truncated',
        firstMissing,
        `the end line covers ${String(seq)} records but ${last} are present`,
      );
    }
    if (hash !== this.#prevHash()) {
      return this.#failCovered(
        'edited',
        last,
        `the end line does not match record ${last}: records were rewritten`,
      );
    }
    if (obj['header'] !== this.#headerDigest) {
      return this.#fail('edited', null, 'the header was changed after the export was signed');
    }
    if (checkpoints !== this.#checkpoints) {
      return this.#fail(
        'deleted',
        null,
        `the end line counts ${String(checkpoints)} checkpoints but ${this.#checkpoints} are present`,
      );
    }
    return true;
  }

  #checkSignature(
    keyId: string,
    data: string,
    signature: string,
    what: string,
  ): { kind: AuditProblem; message: string } | undefined {
    const key = this.#keys.get(keyId);
    if (!key)
      return {
        kind: 'bad_key',
        message: `${what} is signed by key ${keyId}, which the header does not carry`,
      };
    // RFC 8032 §5.1.7 verification; a signature that does not decode to 64 bytes is simply invalid.
    const ok = verify(null, Buffer.from(data, 'utf8'), key, Buffer.from(signature, 'base64url'));
    return ok ? undefined : { kind: 'bad_checkpoint', message: `the signature of ${what} is invalid` };
  }

  /** A checkpoint (or end line) failed: everything after the last valid checkpoint is suspect. */
  #failCovered(problem: AuditProblem, upTo: number, message: string): false {
    const first = Math.min(this.#signedSeq + 1, Math.max(upTo, 1));
    return this.#fail(
      problem,
      first,
      `${message}; records ${first}..${upTo} are not vouched for by a valid signature`,
    );
  }

  /** After a seq jump: the missing record showing up later means reordering, else deletion. */
  #lookForMissing(text: string): boolean {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return true; // the earlier gap is the first problem; keep looking past this line
    }
    const line = obj as Json | null;
    const record = line?.['type'] === 'record' ? (line['record'] as Json | null) : null;
    if (record?.['seq'] === this.#gap?.expected) this.#reportGap(true);
    return !this.#failure;
  }

  #reportGap(foundLater: boolean): void {
    const gap = this.#gap;
    if (!gap) return;
    this.#gap = undefined;
    this.#line = gap.line;
    if (foundLater) {
      this.#fail(
        'reordered',
        gap.expected,
        `record ${gap.expected} is out of order (record ${gap.found} comes before it)`,
      );
    } else {
      const missing =
        gap.found - 1 === gap.expected ? `${gap.expected}` : `${gap.expected}..${gap.found - 1}`;
      this.#fail(
        'deleted',
        gap.expected,
        `record ${missing} is missing (record ${gap.found} follows ${gap.expected - 1})`,
      );
    }
  }

  #fail(problem: AuditProblem, seq: number | null, message: string): false {
    this.#failure ??= { ok: false, problem, seq, line: this.#line, message };
    return false;
  }
}

const RECORD_PREFIX = Buffer.from('{"hash":"');
const RECORD_HASH_AT = RECORD_PREFIX.length;
const RECORD_MIDDLE = Buffer.from('","record":');
const RECORD_BODY_AT = RECORD_HASH_AT + 64 + RECORD_MIDDLE.length;
const RECORD_SUFFIX = Buffer.from(',"type":"record"}');

/** `{"hash":"<64>","record":…,"type":"record"}` (recordLine), judged on its frame alone. */
function isRecordLine(line: Buffer): boolean {
  const n = line.length;
  return (
    n > RECORD_BODY_AT + RECORD_SUFFIX.length &&
    bytesAt(line, 0, RECORD_PREFIX) &&
    bytesAt(line, RECORD_HASH_AT + 64, RECORD_MIDDLE) &&
    bytesAt(line, n - RECORD_SUFFIX.length, RECORD_SUFFIX)
  );
}

// Byte loops rather than Buffer#compare: ~1M short comparisons cost less without native calls.
function bytesAt(line: Uint8Array, at: number, pattern: Uint8Array): boolean {
  if (at < 0 || at + pattern.length > line.length) return false;
  for (let i = 0; i < pattern.length; i++) if (line[at + i] !== pattern[i]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && bytesAt(a, 0, b);
}

function sameAscii(text: string, line: Uint8Array, at: number): boolean {
  for (let i = 0; i < text.length; i++) if (line[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

const PREV_HASH = Buffer.from('"prevHash":"');
const SEQ = Buffer.from('","seq":');

/**
 * seq and prevHash (as bytes) of a record body. In the canonical encoding they are adjacent
 * top-level members and the last `"prevHash":"` in the text (members sorting after it are scalars,
 * and a quote inside a string is escaped), so they are read at that spot instead of parsing ~1M
 * bodies; anything else is parsed. Soundness does not rest on this: the body is hashed as it
 * stands, and any body that differs from the one the broker wrote breaks the chain at the next
 * link or signature.
 */
function recordFields(body: Buffer): { seq: number; prevHash: Uint8Array } | undefined {
  const at = body.lastIndexOf(PREV_HASH);
  const seqAt = at + PREV_HASH.length + 64;
  if (at !== -1 && bytesAt(body, seqAt, SEQ)) {
    const start = seqAt + SEQ.length;
    let i = start;
    let seq = 0;
    for (let c = body[i]; c !== undefined && c >= 48 && c <= 57; c = body[++i]) seq = seq * 10 + (c - 48);
    const digits = i - start;
    const after = body[i];
    if (
      digits >= 1 &&
      digits <= 15 &&
      (after === 0x2c || after === 0x7d) &&
      !(digits > 1 && body[start] === 48)
    ) {
      return { seq, prevHash: body.subarray(at + PREV_HASH.length, seqAt) };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const { seq, prevHash } = (parsed ?? {}) as Json;
  return Number.isSafeInteger(seq) && typeof prevHash === 'string'
    ? { seq: seq as number, prevHash: Buffer.from(prevHash, 'utf8') }
    : undefined;
}

function hasExactly(obj: Json, keys: readonly string[]): boolean {
  const own = Object.keys(obj).sort();
  return own.length === keys.length && own.every((k, i) => k === keys[i]);
}
