import type { AwsWebIdentityRequest } from '../../protocol/awsApi.js';
import type { AwsCredentials } from './AwsCredentials.js';
import { WipeLedger } from '../../agent/WipeLedger.js';
import { StrongroomError } from '../../errors/StrongroomError.js';
import { awsRefreshAt, forgetAwsRole } from './awsCredentialCache.js';
import type { AwsCredentialDeps } from './getAwsCredentials.js';

export interface AwsCredentialProvider {
  /** Fresh credentials for the role (memory, then keychain, then broker + STS); one fetch at a time per role. */
  get(request: AwsWebIdentityRequest): Promise<AwsCredentials>;
  /** The grant ended: forget its credentials held in memory (the vault is wiped by grant tag). */
  forgetGrant(grantId: string): void;
  /** Sign-out, lock: forget everything held in memory. */
  forgetAll(): void;
}

/**
 * The agent's AWS credentials: an in-memory layer over the keychain cache (getAwsCredentials), so
 * the loopback endpoint answers from memory (issue 6: p99 under 5 ms) and a long training job that
 * asks every few minutes never waits on D-Bus. Concurrent asks for one role share one fetch.
 */
export function createAwsCredentialProvider(deps: AwsCredentialDeps): AwsCredentialProvider {
  const memory = new Map<string, { credentials: AwsCredentials; refreshAt: number }>();
  const inflight = new Map<string, Promise<AwsCredentials>>();
  const keyOf = (r: AwsWebIdentityRequest): string => JSON.stringify([r.role, r.grantId ?? null]);
  const forgets = new WipeLedger();
  return {
    get(request) {
      const key = keyOf(request);
      const held = memory.get(key);
      if (held !== undefined && deps.now() < held.refreshAt) return Promise.resolve(held.credentials);
      const running = inflight.get(key);
      if (running !== undefined) return running;
      // Imported on the first miss: an idle agent holds no AWS response schemas or STS code (issue 8's
      // idle memory budget).
      const startedAt = forgets.mark();
      const fetching = import('./getAwsCredentials.js')
        .then(({ getAwsCredentials }) => getAwsCredentials(deps, request))
        .then(async (credentials) => {
          if (forgets.wipedSince(startedAt, credentials.grantId)) {
            // The grant ended (or everything was wiped) while STS answered: what the fetch cached
            // in the keychain after the wipe goes too, and nobody gets it.
            await forgetAwsRole(deps.store, deps.profile.name, request.role, credentials.grantId);
            throw new StrongroomError(
              'denied',
              `Grant ${credentials.grantId} ended, or the session was wiped, while AWS credentials for ${request.role} were fetched.`,
            );
          }
          memory.set(key, { credentials, refreshAt: awsRefreshAt(deps.now(), credentials.expiration) });
          return credentials;
        })
        .catch((error: unknown) => {
          memory.delete(key);
          throw error;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, fetching);
      return fetching;
    },
    forgetGrant(grantId) {
      forgets.record({ kind: 'grant', grantId });
      for (const [key, held] of memory) if (held.credentials.grantId === grantId) memory.delete(key);
    },
    forgetAll() {
      forgets.record({ kind: 'all' });
      memory.clear();
    },
  };
}
