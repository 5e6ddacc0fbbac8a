import { StrongroomError } from '../errors/StrongroomError.js';
import type { PostureReport } from '../posture/PostureReport.js';
import type { AgentPosture, AgentTriggerReason } from '../protocol/agentApi.js';
import {
  createAccessRequestResponseSchema,
  dryRunResponseSchema,
  grantViewSchema,
  grantsResponseSchema,
  requestsResponseSchema,
} from '../protocol/jitApi.js';
import type { SessionSummary } from '../session/SessionSummary.js';
import { z } from 'zod';
import type { AgentCredentialHandler } from './AgentCredentialHandler.js';
import type { AgentDeps } from './AgentDeps.js';
import type { AgentHandlerRegistry } from './AgentHandlerRegistry.js';
import type { AgentStateView } from './AgentState.js';
import { brokerJson } from './brokerJson.js';
import type { TerminalTokens } from './TerminalTokens.js';

/** The agent internals the built-in methods use (createAgent hands them over). */
export interface AgentMethodsCore {
  readonly deps: AgentDeps;
  readonly state: AgentStateView;
  readonly terminals: TerminalTokens;
  readonly credentialKinds: ReadonlyMap<string, AgentCredentialHandler>;
  readonly startedAt: number;
  readonly postureAllows: (posture: AgentPosture) => boolean;
  lastReport(): PostureReport | undefined;
  runPosture(): Promise<void>;
  accessToken(): Promise<{ value: string; summary: SessionSummary }>;
  /** After a change at the broker (request, activate, drop): re-read the lists. */
  afterChange(): void;
  trigger(reason: AgentTriggerReason): void;
}

const grantAnswer = z.object({ grant: grantViewSchema });
const SECOND = 1000;

/**
 * The built-in methods of the agent's protocol (protocol/agentApi.ts), registered by name.
 * Everything that hands out a token or credential checks the lock, the session and the posture
 * first; the broker still decides every elevation itself.
 */
export function registerAgentMethods(methods: AgentHandlerRegistry, core: AgentMethodsCore): void {
  const { deps, state, terminals } = core;
  const { broker, clock, profile } = deps;

  const requireSession = (): void => {
    const s = state.get();
    if (s.locked !== null)
      throw new StrongroomError('locked', `Strongroom is locked on this device: ${s.locked.reason}`, {
        hint: 'Sign in again with `strongroom login` once this is resolved.',
      });
    if (s.session.status !== 'signedIn')
      throw new StrongroomError(
        'not_signed_in',
        `You are not signed in to ${profile.broker} (profile "${profile.name}").`,
        {
          hint: 'Run `strongroom login`.',
        },
      );
  };
  const requirePosture = (): void => {
    if (!core.postureAllows(state.get().posture))
      throw new StrongroomError(
        'posture_failing',
        'Device posture does not pass: the agent holds credentials back.',
        {
          hint: 'Run `strongroom posture` and apply the fixes; the agent re-checks every 5 minutes.',
        },
      );
  };

  /** One agent serves one profile; a caller that means another one works alone. */
  const requireProfile = (wanted: string | undefined): void => {
    if (wanted !== undefined && wanted !== profile.name)
      throw new StrongroomError('not_found', `This agent serves profile "${profile.name}", not "${wanted}".`);
  };

  methods.handle('status', (params) => {
    requireProfile(params?.profile);
    const s = state.get();
    const now = clock.now();
    return {
      ...s,
      now,
      grants: s.grants.map((g) => ({
        ...g,
        secondsLeft: g.expiresAt === null ? null : Math.max(0, Math.floor((g.expiresAt - now) / SECOND)),
      })),
      agent: {
        version: deps.version,
        pid: process.pid,
        startedAt: core.startedAt,
        profile: profile.name,
        broker: profile.broker,
      },
    };
  });

  methods.handle('token', async (params) => {
    requireProfile(params?.profile);
    requireSession();
    const { value, summary } = await core.accessToken();
    return { accessToken: value, tokenType: 'DPoP' as const, expiresAt: summary.accessTokenExpiresAt };
  });

  methods.handle('posture', async (params) => {
    if (params?.refresh === true) await core.runPosture();
    return { posture: state.get().posture, report: core.lastReport() ?? null };
  });

  methods.handle('requests.list', async (params) => {
    requireSession();
    const { requests } = await brokerJson(
      broker,
      'GET',
      `/api/v1/requests${params?.toReview === true ? '?toReview=1' : ''}`,
      requestsResponseSchema,
    );
    return {
      requests: params?.status === undefined ? requests : requests.filter((r) => r.status === params.status),
    };
  });

  methods.handle('requests.create', async (params) => {
    requireSession();
    const answer = await brokerJson(
      broker,
      'POST',
      '/api/v1/requests',
      createAccessRequestResponseSchema,
      params,
    );
    if ('dryRun' in answer)
      throw new StrongroomError('broker_error', 'The broker answered a request with a dry run.');
    core.afterChange();
    return answer;
  });

  methods.handle('requests.dryRun', async (params) => {
    requireSession();
    return brokerJson(broker, 'POST', '/api/v1/requests', dryRunResponseSchema, { ...params, dryRun: true });
  });

  methods.handle('grants.list', async () => {
    requireSession();
    return brokerJson(broker, 'GET', '/api/v1/grants', grantsResponseSchema);
  });

  for (const action of ['activate', 'drop'] as const)
    methods.handle(`grants.${action}`, async ({ grantId }) => {
      requireSession();
      const answer = await brokerJson(
        broker,
        'POST',
        `/api/v1/grants/${encodeURIComponent(grantId)}/${action}`,
        grantAnswer,
        {},
      );
      core.afterChange();
      return answer;
    });

  methods.handle('terminal.create', (params) => {
    requireSession();
    const s = state.get();
    const ends: number[] = [clock.now() + (params.ttlSeconds ?? 3600) * SECOND];
    if (s.session.status === 'signedIn') ends.push(s.session.sessionEndsAt);
    if (params.grantId !== undefined) {
      const grant = s.grants.find((g) => g.id === params.grantId);
      if (grant === undefined)
        throw new StrongroomError('not_found', `You hold no live grant ${params.grantId}.`, {
          hint: 'Run `strongroom grants` to see yours.',
        });
      if (grant.expiresAt !== null) ends.push(grant.expiresAt);
    }
    const created = terminals.create({
      label: params.label,
      grantId: params.grantId ?? null,
      expiresAt: Math.min(...ends),
    });
    // Pointers only (ARCHITECTURE.md, VS Code): the helpers read the token and ask the agent.
    return {
      terminalId: created.terminalId,
      token: created.token,
      expiresAt: created.expiresAt,
      env: { STRONGROOM_TERMINAL_TOKEN: created.token },
    };
  });

  methods.handle('terminal.revoke', ({ terminalId }) => ({ revoked: terminals.revoke(terminalId) }));

  methods.handle('credentials.get', async (params, call) => {
    requireSession();
    requirePosture();
    const handler = core.credentialKinds.get(params.kind);
    if (handler === undefined)
      throw new StrongroomError('not_supported', `This agent issues no "${params.kind}" credentials.`, {
        hint: 'Update Strongroom, or use the helper command directly.',
      });
    const terminal = params.terminalToken === undefined ? undefined : terminals.verify(params.terminalToken);
    if (params.terminalToken !== undefined && terminal === undefined)
      throw new StrongroomError('denied', 'This terminal token is not valid (expired or revoked).', {
        hint: 'Open a new elevated terminal.',
      });
    if (terminal?.grantId != null && params.grantId !== undefined && params.grantId !== terminal.grantId)
      throw new StrongroomError('denied', 'This terminal may only use the credentials of its own grant.');
    const grantId = params.grantId ?? terminal?.grantId ?? undefined;
    return handler(grantId === undefined ? params : { ...params, grantId }, {
      profile,
      vault: deps.vault,
      broker,
      clock,
      grants: state.get().grants,
      terminal,
      peer: call.peer,
    });
  });

  methods.handle('state.subscribe', (_params, call) => {
    const connection = call.connection;
    if (connection === undefined)
      throw new StrongroomError('usage', 'In-process callers subscribe with agent.state.subscribe.');
    connection.send({ v: 1, event: 'state', state: state.get() });
    const unsubscribe = state.subscribe((next) => connection.send({ v: 1, event: 'state', state: next }));
    connection.onClose(unsubscribe);
    return { subscribed: true as const };
  });

  methods.handle('trigger', ({ reason }) => {
    core.trigger(reason);
    return { accepted: true as const };
  });
}
