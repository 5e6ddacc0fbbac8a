import { AuditChainVerifier } from '../audit/AuditChainVerifier.js';
import type { AuditRecord } from '../audit/AuditEvent.js';
import { auditExportLines } from '../audit/auditExportLines.js';
import { loadAuditSigner } from '../audit/AuditSigner.js';
import type { AuditVerifyResult } from '../audit/AuditVerifyResult.js';
import type { AuditHead, Store } from '../store/Store.js';

export interface ChainState {
  result: AuditVerifyResult;
  /** When the check ran. */
  at: number;
}

/**
 * The audit chain's verification state for the explorer: the same check as the offline
 * `audit verify` (AuditChainVerifier: every record's hash and link from genesis, every signed
 * checkpoint, the signed end), run over the live store's records as an export would write them,
 * with the broker's own audit key pinned. The last result is kept; an admin re-runs it.
 */
export class AuditChainState {
  readonly #store: Store;
  readonly #now: () => number;
  #last: ChainState | undefined;
  #running: Promise<ChainState> | undefined;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  get last(): ChainState | undefined {
    return this.#last;
  }

  /** Runs the check (one at a time: concurrent callers share the run). */
  verify(): Promise<ChainState> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #run(): Promise<ChainState> {
    const signer = await loadAuditSigner(this.#store);
    const head = await this.#store.auditHead();
    const checkpoints = await this.#store.listCheckpoints();
    const verifier = new AuditChainVerifier([signer.keyId]);
    const lines = auditExportLines({ head, records: this.#records(head), checkpoints }, signer, this.#now);
    for await (const line of lines) if (!verifier.push(Buffer.from(line, 'utf8'))) break;
    this.#last = { result: verifier.finish(), at: this.#now() };
    return this.#last;
  }

  async *#records(head: AuditHead): AsyncGenerator<AuditRecord> {
    for (let from = 1; from <= head.seq; from += 2000)
      yield* await this.#store.readAudit(from, Math.min(2000, head.seq - from + 1));
  }
}
