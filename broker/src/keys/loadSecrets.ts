import { randomBytes } from 'node:crypto';
import type { Store } from '../store/Store.js';
import { loadOrCreateSetting } from './loadOrCreateSetting.js';

export interface BrokerSecrets {
  /** Keys oidc-provider signs its cookies with (keygrip: the first signs, all verify). */
  cookieKeys: string[];
  /** HMAC secret for stateless DPoP nonces (RFC 9449 §8); shared so any instance accepts them. */
  dpopNonceSecret: string;
}

/** 256-bit random secrets, created once per deployment and shared through the store. */
export function loadSecrets(store: Store): Promise<BrokerSecrets> {
  return loadOrCreateSetting(store, 'broker.secrets', () =>
    Promise.resolve({
      cookieKeys: [randomBytes(32).toString('base64url')],
      dpopNonceSecret: randomBytes(32).toString('hex'),
    }),
  );
}
