import type { DeviceContextLookup } from '../api/posture/deviceContextFor.js';
import type { PolicyEngine } from '../policy/PolicyEngine.js';
import type { Store } from '../store/Store.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';
import type { JitOptions } from './jitOptions.js';

/** What JIT elevation needs, passed in explicitly. */
export interface JitDeps {
  store: Store;
  policy: PolicyEngine;
  /** The directory the bundle in force came from; reloads read it again (never a caller's path). */
  policyDir: string;
  devices: DeviceContextLookup;
  rp: RelyingParty;
  now: () => number;
  options: JitOptions;
  /** Tells listeners of the event stream that new user events were committed. */
  eventsCommitted: () => void;
  /** Sends a notification to the configured webhooks in the background (delivery is audited). */
  webhook: (message: { event: string; text: string; data: Record<string, unknown> }) => void;
}
