import type { Agent } from '../agent/createAgent.js';
import { requireAgentServing } from '../agent/requireAgentServing.js';
import { WipeLedger } from '../agent/WipeLedger.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { AgentPosture } from '../protocol/agentApi.js';
import {
  SERVICE_TOKEN_ERASE_METHOD,
  SERVICE_TOKEN_METHOD,
  serviceTokenEraseMethod,
  serviceTokenMethod,
} from '../protocol/serviceTokenAgentApi.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import { getServiceToken } from './getServiceToken.js';
import type { ServiceToken } from './ServiceToken.js';
import { eraseServiceToken, serviceTokenRefreshAt } from './serviceTokenCache.js';

export interface ServiceTokenAgentDeps {
  readonly profile: ResolvedProfile;
  /** The agent's vault: the session, the device key and the grant-tagged token cache. */
  readonly vault: CredentialStore;
  readonly now: () => number;
  /** Never called with a token. */
  readonly log: (message: string) => void;
  /** The agent's own rule (AgentOptions.postureAllows). Default: every check passed. */
  readonly postureAllows?: (posture: AgentPosture) => boolean;
}

export interface ServiceTokenAgentService {
  /**
   * Answers so far: `served` from the agent's memory, `fetched` from the keychain or a new token
   * exchange. Shown by tests and benchmarks (one exchange serves every helper call until it is due).
   */
  stats(): { readonly served: number; readonly fetched: number };
  close(): void;
}

/** The parts of the agent the helper uses. */
export type ServiceTokenAgentHost = Pick<
  Agent,
  'state' | 'methods' | 'call' | 'registerCredentialKind' | 'onWipe'
>;

interface Held {
  readonly token: ServiceToken;
  readonly refreshAt: number;
}

/**
 * The service-token helper inside the agent (issue 6 items 2, 4, 5; issue 8: the credential helpers
 * go through the socket). Registers:
 * - `serviceToken.get` (`strongroom git-credential`, `kube-credential`, `token --audience` while the
 *   agent runs): an audience-scoped token (RFC 8693 token exchange, DPoP-bound where the service
 *   asks, as getServiceToken does alone) from memory while fresh, else from the keychain cache or a
 *   new exchange; concurrent asks for one service share one exchange;
 * - `serviceToken.erase` (git's `erase`): forgets the service's token in memory and keychain;
 * - `credentials.get` kind `service-token` (target = the service) for in-process hosts.
 * Nothing while the agent is locked, signed out or its posture fails (requireAgentServing); the
 * session is used only through the agent's own `token` method, so its refresh rules hold. The
 * agent's wipes (grant ended, lock, revoke, sign-out) drop the memory; it wipes the keychain
 * entries itself by grant tag. A held token whose grant the agent no longer lists is not served.
 */
export function serveServiceTokensFromAgent(
  agent: ServiceTokenAgentHost,
  deps: ServiceTokenAgentDeps,
): ServiceTokenAgentService {
  const { profile, vault, now, log } = deps;
  const postureAllows = deps.postureAllows ?? ((p: AgentPosture) => p.status === 'pass');
  const held = new Map<string, Held>();
  const inFlight = new Map<string, Promise<ServiceToken>>();
  let served = 0;
  let fetched = 0;
  const wipes = new WipeLedger();
  const host = {
    platform: process.platform,
    openBrowser: () => Promise.resolve(),
    now,
    log: (_level: string, message: string) => log(message),
    notify: (message: string) => log(message),
  };

  const fetch = async (audience: string, grantId: string | undefined): Promise<ServiceToken> => {
    // The agent's checks and refresh rules decide whether the session may be used at all; the
    // exchange below then finds the vault's access token fresh.
    const startedAt = wipes.mark();
    await agent.call('token', {});
    fetched += 1;
    const token = await getServiceToken(
      { host, profile, store: vault, listedGrants: () => agent.state.get().grants.map((g) => g.id) },
      grantId === undefined ? { audience } : { audience, grantId },
    );
    if (wipes.wipedSince(startedAt, token.grantId)) {
      // The grant ended (or everything was wiped) while the exchange ran: the token it cached in
      // the keychain after the wipe must go too, and nobody gets it.
      await eraseServiceToken(vault, profile.name, audience);
      throw new StrongroomError(
        'denied',
        `Grant ${token.grantId} ended, or the session was wiped, while the token for ${audience} was fetched.`,
      );
    }
    held.set(audience, { token, refreshAt: serviceTokenRefreshAt(now(), token.expiresAt) });
    log(`service token for ${audience} (grant ${token.grantId})`);
    return token;
  };

  const get = (audience: string, grantId: string | undefined): Promise<ServiceToken> => {
    const live = new Set(agent.state.get().grants.map((g) => g.id));
    const hit = held.get(audience);
    if (hit !== undefined && (now() >= hit.refreshAt || !live.has(hit.token.grantId))) held.delete(audience);
    else if (hit !== undefined && (grantId === undefined || hit.token.grantId === grantId)) {
      served += 1;
      return Promise.resolve(hit.token);
    }
    const key = `${audience}\u0000${grantId ?? ''}`;
    const running = inFlight.get(key);
    if (running !== undefined) return running;
    const started = fetch(audience, grantId).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };

  const unsubscribe = agent.onWipe((scope) => {
    wipes.record(scope);
    if (scope.kind === 'all') held.clear();
    else for (const [audience, h] of held) if (h.token.grantId === scope.grantId) held.delete(audience);
  });

  agent.registerCredentialKind('service-token', async (params) => {
    const token = await get(params.target, params.grantId);
    return {
      kind: 'service-token',
      grantId: token.grantId,
      expiresAt: token.expiresAt,
      credential: { token: token.token, tokenType: token.tokenType, audience: token.audience },
    };
  });

  agent.methods.register(SERVICE_TOKEN_METHOD, serviceTokenMethod, async (params) => {
    requireAgentServing(agent.state.get(), profile.name, params.profile, postureAllows, 'service tokens');
    const { token, tokenType, audience, expiresAt, grantId } = await get(params.audience, params.grantId);
    return { token, tokenType, audience, expiresAt, grantId };
  });

  agent.methods.register(SERVICE_TOKEN_ERASE_METHOD, serviceTokenEraseMethod, async (params) => {
    // Forgetting is always allowed (locked or signed out too); only another profile's caller works alone.
    if (params.profile !== undefined && params.profile !== profile.name)
      throw new StrongroomError(
        'not_found',
        `This agent serves profile "${profile.name}", not "${params.profile}".`,
      );
    held.delete(params.audience);
    await eraseServiceToken(vault, profile.name, params.audience);
    return { erased: true as const };
  });

  return {
    stats: () => ({ served, fetched }),
    close: unsubscribe,
  };
}
