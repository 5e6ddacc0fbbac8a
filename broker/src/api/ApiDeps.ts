import type Provider from 'oidc-provider';
import type { Store } from '../store/Store.js';
import type { ApiOptions } from './apiOptions.js';

/** What the `/api/v1` routes need, passed in explicitly. */
export interface ApiDeps {
  store: Store;
  provider: Provider;
  /** The broker's public origin (from the issuer): DPoP `htu` is checked against it. */
  origin: string;
  now: () => number;
  options: ApiOptions;
  /** Tells the event stream that user events were committed (posture: `device.compliance`). */
  eventsCommitted?: () => void;
}
