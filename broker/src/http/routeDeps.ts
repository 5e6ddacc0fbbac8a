import type Provider from 'oidc-provider';
import type { BrokerConfig } from '../config/brokerConfigSchema.js';
import type { Store } from '../store/Store.js';
import type { ChallengeStore } from '../webauthn/challengeStore.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';

/** What the broker's own routes need, passed in explicitly (no globals). */
export interface RouteDeps {
  config: BrokerConfig;
  store: Store;
  provider: Provider;
  rp: RelyingParty;
  challenges: ChallengeStore;
  now: () => number;
}
