import { createHash } from 'node:crypto';

/**
 * A one-way, 128-bit fingerprint of an issued token for the audit log: links a client's token to
 * its audit record (e.g. in an investigation) without the log ever holding a usable token.
 */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url').slice(0, 22);
}
