import type { DetectorRunner } from '../detectors/DetectorRunner.js';
import type { Store } from '../store/Store.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';
import type { WebhookOutbox } from './WebhookOutbox.js';

/** What detectors, alerts and locks need at run time (registerAlerts builds it). */
export interface AlertDeps {
  store: Store;
  rp: RelyingParty;
  now: () => number;
  /** Wakes the event streams (alerts, locks, session.revoked) after a commit. */
  eventsCommitted: () => void;
  runner: DetectorRunner;
  outbox: WebhookOutbox;
}
