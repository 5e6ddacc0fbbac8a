import { uidKey } from '../policy/collectPolicyReads.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';
import { CoalescedTask } from '../alerts/CoalescedTask.js';
import type { Store } from '../store/Store.js';
import type { DetectorContext } from './Detector.js';
import type { DetectorFinding } from './DetectorFinding.js';
import { createDetectors, DetectorEngine, type DetectorSnapshot } from './DetectorEngine.js';
import { workingHoursSchema, type WorkingHours } from './detectorsConfigSchema.js';

/** The user attribute that holds a person's working hours (workingHoursSchema). */
export const WORKING_HOURS_ATTRIBUTE = 'workingHours';
const SNAPSHOT_SETTING = 'detectors.snapshot';
const BATCH = 2000;

export interface DetectorRunnerOptions {
  store: Store;
  now: () => number;
  /** The bundle in force (its detectors.json and catalog tiers); read again after a hot swap. */
  bundle: () => PolicyBundle;
  /** Acts on a finding that is fresh enough (raiseAlert); resolves when it has committed. */
  act: (finding: DetectorFinding) => Promise<void>;
  /** How often the log is read for new records (every instance's commits land there). */
  pollMs?: number;
  /** How often the detectors' state is saved (and on close). */
  snapshotEveryMs?: number;
  /** Told about failures of `act` (the finding is not retried; the next one still is acted on). */
  onError?: (error: unknown) => void;
}

/**
 * Feeds the audit log to the detectors, in seq order, after commit: it tails the log in the store
 * (what every broker instance appends, whichever path appended it: a change's transaction or the
 * AuditWriter), so nothing is missed across restarts or instances. The detectors' state is saved
 * as a snapshot with the last seq it covers and restored at start; without one, the whole log is
 * replayed, and findings older than the bundle's `maxActAgeSeconds` only update state (no alert or
 * lock for history). Alerts are stored once per dedupe key, so instances tailing the same log do
 * not double them.
 */
export class DetectorRunner {
  readonly #o: DetectorRunnerOptions;
  readonly #hours = new Map<string, WorkingHours>();
  #engine: DetectorEngine | undefined;
  #bundleHash = '';
  readonly #pump = new CoalescedTask(() => this.#readLog());
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #lastSnapshot = 0;

  constructor(options: DetectorRunnerOptions) {
    this.#o = options;
  }

  /** Loads working hours and the saved state, then starts tailing (the catch-up runs in the background). */
  async start(): Promise<void> {
    for (const { userId, value } of await this.#o.store.listUserAttribute(WORKING_HOURS_ATTRIBUTE)) {
      const parsed = workingHoursSchema.safeParse(value);
      if (parsed.success) this.#hours.set(userId, parsed.data);
    }
    this.#engine = this.#makeEngine();
    const saved = await this.#o.store.getSetting<DetectorSnapshot>(SNAPSHOT_SETTING);
    if (saved && typeof saved.seq === 'number') this.#engine.restore(saved);
    this.#lastSnapshot = this.#o.now();
    this.#timer = setInterval(() => this.nudge(), this.#o.pollMs ?? 200);
    this.#timer.unref();
    this.nudge();
  }

  /** The last audit record the detectors have seen. */
  get seq(): number {
    return this.#engine?.seq ?? 0;
  }

  /** Reads the log now (e.g. right after a commit in this process). */
  nudge(): void {
    if (this.#engine !== undefined) this.#pump.kick();
  }

  /** Resolves once every record committed before the call has been seen and acted on. */
  async caughtUp(): Promise<void> {
    const head = (await this.#o.store.auditHead()).seq;
    while (!this.#closed && this.seq < head) {
      this.nudge();
      await (this.#pump.current ?? new Promise((resolve) => setTimeout(resolve, 10)));
    }
  }

  /** A person's working hours changed (admin API): detectors use them from the next record on. */
  setWorkingHours(userId: string, hours: WorkingHours | null): void {
    if (hours === null) this.#hours.delete(userId);
    else this.#hours.set(userId, hours);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#pump.stop();
    await this.#saveSnapshot().catch(() => undefined);
  }

  #context(): DetectorContext {
    return {
      tierOf: (type, id) => {
        const tier = this.#o.bundle().catalog.get(uidKey(type, id))?.attrs['tier'];
        return typeof tier === 'string' ? tier : undefined;
      },
      workingHoursOf: (userId) => this.#hours.get(userId) ?? this.#o.bundle().detectors.workingHours,
    };
  }

  #makeEngine(): DetectorEngine {
    const bundle = this.#o.bundle();
    this.#bundleHash = bundle.hash;
    return new DetectorEngine(createDetectors(bundle.detectors, this.#context()));
  }

  async #readLog(): Promise<void> {
    try {
      for (;;) {
        let engine = this.#engine;
        if (engine === undefined || this.#closed) return;
        if (this.#o.bundle().hash !== this.#bundleHash) {
          // A hot-swapped bundle may change the detectors: same state, new settings.
          const state = engine.snapshot();
          engine = this.#engine = this.#makeEngine();
          engine.restore(state);
        }
        const records = await this.#o.store.readAudit(engine.seq + 1, BATCH);
        if (records.length === 0) break;
        const maxAge = this.#o.bundle().detectors.maxActAgeSeconds * 1000;
        for (const record of records) {
          const findings: DetectorFinding[] = [];
          engine.observe(record, findings);
          for (const finding of findings) {
            if (this.#o.now() - finding.time > maxAge) continue;
            await this.#o.act(finding).catch((error: unknown) => this.#o.onError?.(error));
          }
        }
        if (records.length < BATCH) break;
      }
      if (this.#o.now() - this.#lastSnapshot >= (this.#o.snapshotEveryMs ?? 30_000))
        await this.#saveSnapshot();
    } catch (error) {
      this.#o.onError?.(error);
    }
  }

  async #saveSnapshot(): Promise<void> {
    if (this.#engine === undefined) return;
    this.#lastSnapshot = this.#o.now();
    await this.#o.store.putSetting(SNAPSHOT_SETTING, this.#engine.snapshot());
  }
}
