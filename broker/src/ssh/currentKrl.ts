import type { Store } from '../store/Store.js';
import type { SshCa } from './loadSshCa.js';
import { writeKrl } from './writeKrl.js';

/**
 * The KRL hosts load as `RevokedKeys`: serials of certificates from our CA whose grant ended early
 * (revoked in the ledger) and that have not expired yet; expired ones need no listing. The version
 * is the newest revocation time, so it grows with every revocation and is the same on every
 * broker instance.
 */
export async function currentKrl(
  store: Pick<Store, 'listRevokedCredentials'>,
  ca: SshCa,
  now: number,
): Promise<Buffer> {
  const revoked = await store.listRevokedCredentials('ssh-certificate', now);
  const serials = revoked.flatMap((r) => (r.serial === null ? [] : [BigInt(r.serial)]));
  const newest = revoked.reduce((max, r) => Math.max(max, r.revokedAt ?? 0), 0);
  return writeKrl({
    caKeyBlob: ca.publicKey.toBuffer('rfc4253'),
    serials,
    version: BigInt(newest),
    generatedAt: Math.floor(now / 1000),
    comment: 'strongroom: certificates whose grant ended early',
  });
}
