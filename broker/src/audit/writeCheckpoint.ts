import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';
import type { AuditCheckpoint } from './AuditEvent.js';
import type { AuditSigner } from './AuditSigner.js';
import { checkpointSigningInput } from './checkpointSigningInput.js';

/**
 * Signs the current head of the chain and stores the checkpoint. Returns undefined when there is
 * nothing new to sign, or when another broker instance checkpointed the same head first.
 */
export async function writeCheckpoint(
  store: Store,
  signer: AuditSigner,
  now: number,
): Promise<AuditCheckpoint | undefined> {
  const [head, last] = await Promise.all([store.auditHead(), store.lastCheckpoint()]);
  if (head.seq === 0 || (last && last.seq >= head.seq)) return undefined;
  const body = { seq: head.seq, hash: head.hash, time: now };
  const checkpoint: AuditCheckpoint = {
    ...body,
    keyId: signer.keyId,
    signature: signer.sign(checkpointSigningInput(body)),
  };
  try {
    await store.appendCheckpoint(checkpoint);
  } catch (error) {
    if (error instanceof BrokerError && error.code === 'conflict') return undefined;
    throw error;
  }
  return checkpoint;
}
