import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonicalJson.js';
import type { AccessRequestRecord } from '../store/jitRecords.js';

/**
 * SHA-256 (base64url) over the canonical JSON (RFC 8785) of what an approver approves: who asks,
 * for what, how long, why. Approval challenges commit to it, so a key touch approves exactly this
 * content and nothing else.
 */
export function requestContentHash(
  r: Pick<
    AccessRequestRecord,
    'id' | 'requesterId' | 'target' | 'durationMinutes' | 'reason' | 'ticket' | 'createdAt' | 'bundleHash'
  >,
): string {
  const content = {
    id: r.id,
    requesterId: r.requesterId,
    target: { type: r.target.type, id: r.target.id },
    durationMinutes: r.durationMinutes,
    reason: r.reason,
    ticket: r.ticket,
    createdAt: r.createdAt,
    bundleHash: r.bundleHash,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('base64url');
}
