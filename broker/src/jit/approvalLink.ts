import { createHash, randomBytes } from 'node:crypto';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import type { StoreOps } from '../store/Store.js';

/**
 * A one-time link that lets the approver's system browser do the key touch for one request
 * (`strongroom approve <id>` opens it): the browser cannot sign DPoP proofs, so the CLI, which
 * can, mints the link through the API and it carries who the approver is. 256 random bits, only
 * the SHA-256 stored, bound to (request, approver), short-lived, used up by the approval POST.
 */
export interface ApprovalLink {
  requestId: string;
  approverId: string;
  thumbprint: string;
  srcIp: string;
}

const MODEL = 'ApprovalLink';
const idOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

export async function createApprovalLink(
  ops: Pick<StoreOps, 'oidcUpsert'>,
  caller: ApiCaller,
  requestId: string,
  now: number,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + ttlSeconds * 1000;
  const link: ApprovalLink = {
    requestId,
    approverId: caller.user.id,
    thumbprint: caller.thumbprint,
    srcIp: caller.srcIp,
  };
  await ops.oidcUpsert({
    model: MODEL,
    id: idOf(token),
    payload: { ...link },
    expiresAt,
    grantId: null,
    userCode: null,
    uid: null,
    consumedAt: null,
  });
  return { token, expiresAt };
}

/** The live link for `token`; with `consume`, deletes it (single use). */
export async function findApprovalLink(
  ops: Pick<StoreOps, 'oidcFind' | 'oidcDestroy'>,
  token: string,
  now: number,
  consume: boolean,
): Promise<ApprovalLink | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const found = await ops.oidcFind(MODEL, idOf(token));
  if (!found) return undefined;
  if (consume) await ops.oidcDestroy(MODEL, found.id);
  if (found.expiresAt !== null && found.expiresAt <= now) return undefined;
  const p = found.payload;
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : '');
  return {
    requestId: str('requestId'),
    approverId: str('approverId'),
    thumbprint: str('thumbprint'),
    srcIp: str('srcIp'),
  };
}
