import { z } from 'zod';
import { AgentStateStore, type AgentGrant, type AgentState } from '../agent/AgentState.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { loadSoftwareDeviceKey } from '../device/loadSoftwareDeviceKey.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { PostureHost } from '../posture/PostureHost.js';
import { runPostureChecks } from '../posture/runPostureChecks.js';
import { attestPosture } from '../posture-attestation/attestPosture.js';
import { collectPlatformFacts } from '../posture-attestation/collectPlatformFacts.js';
import { enrollDevice } from '../posture-attestation/enrollDevice.js';
import type { AgentParams, AgentResult, AgentSession } from '../protocol/agentApi.js';
import {
  accessRequestViewSchema,
  createAccessRequestResponseSchema,
  dryRunResponseSchema,
  grantsResponseSchema,
  grantViewSchema,
  requestsResponseSchema,
  targetsResponseSchema,
  type GrantView,
} from '../protocol/jitApi.js';
import { createSessionController } from '../session/createSessionController.js';
import type { HostContext } from '../session/HostContext.js';
import type { SessionSummary } from '../session/SessionSummary.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { AccessMethod, AccessPort } from './AccessPort.js';
import { readUserEvents } from './readUserEvents.js';

export interface InProcessAccessOptions {
  readonly host: HostContext;
  readonly store: CredentialStore;
  readonly profile: ResolvedProfile;
  readonly postureHost: () => PostureHost;
  /** Sent in posture reports (`strongroom-vscode/0.1.0`). */
  readonly agentVersion: string;
  /** Wait after a dropped event stream before reconnecting. */
  readonly reconnectMs?: number;
}

const linkSchema = z.object({ url: z.string().url(), expiresAt: z.number() });

function sessionOf(s: SessionSummary, profile: ResolvedProfile): AgentSession {
  return {
    status: 'signedIn',
    profile: profile.name,
    broker: profile.broker,
    user: { subject: s.subject, email: s.email ?? null, name: s.name ?? null },
    amr: [...s.amr],
    acr: s.acr,
    authTime: s.authTime,
    accessTokenExpiresAt: s.accessTokenExpiresAt,
    sessionEndsAt: s.sessionExpiresAt,
    sessionEndSource: s.sessionEndSource,
    deviceKey: { thumbprint: s.deviceKeyThumbprint, protection: s.deviceKeyProtection },
  };
}

function agentGrantOf(g: GrantView): AgentGrant | undefined {
  if (g.state === 'ended') return undefined;
  return {
    id: g.id,
    requestId: g.requestId,
    target: { type: g.target.type, id: g.target.id },
    tier: g.tier,
    state: g.state,
    emergency: g.emergency,
    durationMinutes: g.durationMinutes,
    activateBy: g.activateBy,
    expiresAt: g.expiresAt,
  };
}

/**
 * The access UI's agent when no agent process runs (issue 7: "otherwise runs the same agent
 * in-process with the same keychain vault"): the signed-in session from the vault, the broker's
 * JIT API over DPoP, and the broker's event stream, which is followed while signed in and turns
 * every event into a re-read of grants and reviews (so the state is the broker's, never a guess).
 * Per-terminal credential endpoints are the agent's (issue 8) and are not served here.
 */
export function createInProcessAccess(options: InProcessAccessOptions): AccessPort {
  const { host, store, profile } = options;
  const session = createSessionController({ host, store, profile });
  const state = new AgentStateStore((error) => host.log('error', `state listener failed: ${String(error)}`));
  let disposed = false;
  let following: AbortController | undefined;
  let keepFresh: { stop: () => void } | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;

  const api = async <S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> => {
    const response = await session.api.request(method, path, body);
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success)
      throw new StrongroomError(
        'broker_error',
        `The broker answered ${method} ${path} with something unexpected.`,
        {
          cause: parsed.error,
        },
      );
    return parsed.data;
  };

  const signedOut = (): void => {
    following?.abort();
    following = undefined;
    keepFresh?.stop();
    keepFresh = undefined;
    state.update({ session: { status: 'signedOut' }, grants: [], toApprove: [], connected: false });
  };

  /** When the soonest active grant ends, ask the broker (it computes state from stored times). */
  const scheduleExpiry = (grants: readonly AgentGrant[]): void => {
    if (expiryTimer !== undefined) clearTimeout(expiryTimer);
    const ends = grants.map((g) => g.expiresAt).filter((t): t is number => t !== null);
    if (ends.length === 0 || disposed) return;
    const wait = Math.max(0, Math.min(...ends) - host.now()) + 500;
    expiryTimer = setTimeout(() => void refresh().catch(() => undefined), Math.min(wait, 2 ** 31 - 1));
    expiryTimer.unref?.();
  };

  const refreshGrants = async (): Promise<void> => {
    const [grants, review] = await Promise.all([
      api('GET', '/api/v1/grants', grantsResponseSchema),
      api('GET', '/api/v1/requests?toReview=1', requestsResponseSchema),
    ]);
    const live = grants.grants.map(agentGrantOf).filter((g): g is AgentGrant => g !== undefined);
    state.update({ grants: live, toApprove: review.requests });
    scheduleExpiry(live);
  };

  const follow = async (signal: AbortSignal): Promise<void> => {
    let last: number | undefined;
    while (!signal.aborted && !disposed) {
      try {
        const response = await session.api.request(
          'GET',
          `/api/v1/events${last === undefined ? '' : `?after=${last}`}`,
        );
        state.update({ connected: true });
        // Catch up once per (re)connection: events may have happened while the stream was down.
        await refreshGrants();
        const body = response.body;
        if (body === null) throw new StrongroomError('broker_error', 'The event stream had no body.');
        // Signing out or disposing closes the stream at once instead of at its next event.
        signal.addEventListener('abort', () => void body.cancel().catch(() => undefined), { once: true });
        for await (const event of readUserEvents(body)) {
          if (signal.aborted) break;
          last = event.id;
          if (event.type === 'session.revoked') {
            state.update({
              locked: { reason: 'the broker revoked this session', source: event.type, at: event.time },
            });
            await store.clearProfile(profile.name).catch(() => undefined);
            signedOut();
            return;
          }
          await refreshGrants();
        }
      } catch (error) {
        if (signal.aborted) return;
        if (
          error instanceof StrongroomError &&
          (error.code === 'not_signed_in' || error.code === 'session_expired')
        ) {
          signedOut();
          return;
        }
        host.log('warn', `event stream: ${error instanceof Error ? error.message : String(error)}`);
      }
      state.update({ connected: false });
      if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, options.reconnectMs ?? 2000));
    }
  };

  const refresh = async (): Promise<void> => {
    const summary = await session.status();
    if (summary === undefined || summary.sessionExpiresAt <= host.now()) return signedOut();
    state.update({ session: sessionOf(summary, profile), locked: null });
    keepFresh ??= session.keepFresh(() => signedOut());
    if (following === undefined) {
      following = new AbortController();
      void follow(following.signal);
    } else await refreshGrants();
  };

  const postureCall = async (refreshPosture: boolean): Promise<AgentResult<'posture'>> => {
    if (!refreshPosture) return { posture: state.get().posture, report: null };
    const postureHost = options.postureHost();
    const report = await runPostureChecks(postureHost);
    const failing = report.checks
      .filter((c) => c.status !== 'pass')
      .map((c) => ({ id: c.id, title: c.title, status: c.status, observed: c.observed, fix: c.fix }));
    const status = failing.some((c) => c.status === 'fail')
      ? 'fail'
      : failing.length > 0
        ? 'unknown'
        : 'pass';
    let attestation: AgentState['posture']['attestation'] = null;
    let attestationError: string | null = null;
    if (state.get().session.status === 'signedIn') {
      try {
        const key = await loadSoftwareDeviceKey(store, profile.name);
        await enrollDevice(session.api, key, await collectPlatformFacts(postureHost));
        const verdict = await attestPosture({
          client: session.api,
          key,
          report,
          agentVersion: options.agentVersion,
          now: host.now,
        });
        attestation = { compliant: verdict.compliant, attestedAt: Date.parse(verdict.attestedAt) };
      } catch (error) {
        attestationError = error instanceof Error ? error.message : String(error);
      }
    } else attestationError = 'not signed in: the report was not sent';
    const posture = { status, failing, checkedAt: host.now(), attestation, attestationError } as const;
    state.update({ posture });
    // A failing attestation may have ended restricted grants at the broker (posture_regression).
    if (attestation !== null) await refreshGrants().catch(() => undefined);
    return { posture, report };
  };

  type Handler<M extends AccessMethod> = (params: AgentParams<M>) => Promise<AgentResult<M>>;
  const handlers: { [M in AccessMethod]: Handler<M> } = {
    'requests.list': async (p) =>
      api(
        'GET',
        p?.toReview === true ? '/api/v1/requests?toReview=1' : '/api/v1/requests',
        requestsResponseSchema,
      ),
    'requests.create': async (p) => {
      const created = await api('POST', '/api/v1/requests', createAccessRequestResponseSchema, p);
      if ('dryRun' in created)
        throw new StrongroomError('broker_error', 'The broker answered a request with a dry run.');
      await refreshGrants().catch(() => undefined);
      return created;
    },
    'requests.dryRun': async (p) =>
      api('POST', '/api/v1/requests', dryRunResponseSchema, { ...p, dryRun: true }),
    'grants.list': async () => api('GET', '/api/v1/grants', grantsResponseSchema),
    'grants.activate': async (p) => {
      const out = await api(
        'POST',
        `/api/v1/grants/${encodeURIComponent(p.grantId)}/activate`,
        z.object({ grant: grantViewSchema }),
      );
      await refreshGrants().catch(() => undefined);
      return out;
    },
    'grants.drop': async (p) => {
      const out = await api(
        'POST',
        `/api/v1/grants/${encodeURIComponent(p.grantId)}/drop`,
        z.object({ grant: grantViewSchema }),
      );
      await refreshGrants().catch(() => undefined);
      return out;
    },
    posture: async (p) => postureCall(p?.refresh === true),
    'terminal.create': async () => {
      throw new StrongroomError(
        'usage',
        'Elevated terminals need the Strongroom agent (the tray app), which serves their credentials.',
        {
          hint: 'Start the Strongroom tray app, then open the terminal again.',
        },
      );
    },
    'terminal.revoke': async () => ({ revoked: false }),
  };

  return {
    state,
    call: (method, params) => (handlers[method] as Handler<typeof method>)(params),
    targets: () => api('GET', '/api/v1/targets', targetsResponseSchema),
    approvalLink: (id) => api('POST', `/api/v1/requests/${encodeURIComponent(id)}/approval-link`, linkSchema),
    deny: async (id, reason) => {
      await api(
        'POST',
        `/api/v1/requests/${encodeURIComponent(id)}/deny`,
        z.object({ request: accessRequestViewSchema }),
        { reason },
      );
      await refreshGrants().catch(() => undefined);
    },
    signIn: async () => {
      await session.login();
      state.update({ locked: null });
      await refresh();
    },
    signOut: async () => {
      signedOut();
      await session.logout();
    },
    refresh,
    dispose: () => {
      disposed = true;
      if (expiryTimer !== undefined) clearTimeout(expiryTimer);
      following?.abort();
      keepFresh?.stop();
    },
  };
}
