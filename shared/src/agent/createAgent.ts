import { StrongroomError } from '../errors/StrongroomError.js';
import type { PostureReport } from '../posture/PostureReport.js';
import { attestPosture } from '../posture-attestation/attestPosture.js';
import { enrollDevice } from '../posture-attestation/enrollDevice.js';
import type {
  AgentGrant,
  AgentMethodName,
  AgentParams,
  AgentPosture,
  AgentResult,
  AgentTriggerReason,
} from '../protocol/agentApi.js';
import {
  grantsResponseSchema,
  requestsResponseSchema,
  type GrantView,
  type UserEvent,
} from '../protocol/jitApi.js';
import type { SessionSummary } from '../session/SessionSummary.js';
import { refreshDueAt } from '../session/isAccessTokenFresh.js';
import {
  grantTag,
  isAnyGrantCredentialEntry,
  isGrantCredentialEntry,
  wipeGrantCredentials,
} from '../vault/grantCredentialEntries.js';
import type { AgentCredentialHandler, AgentWipeScope } from './AgentCredentialHandler.js';
import type { AgentDeps } from './AgentDeps.js';
import { AgentHandlerRegistry } from './AgentHandlerRegistry.js';
import { AgentStateStore, type AgentStateView } from './AgentState.js';
import { brokerJson } from './brokerJson.js';
import { coalesceNotifications } from './coalesceNotifications.js';
import { followBrokerEvents, type BrokerEventFollower } from './followBrokerEvents.js';
import { reactToBrokerEvent } from './reactToBrokerEvent.js';
import { registerAgentMethods } from './registerAgentMethods.js';
import { summarizePosture } from './summarizePosture.js';
import { TerminalTokens } from './TerminalTokens.js';
import { toAgentSession } from './toAgentSession.js';

export type AgentTrigger = AgentTriggerReason | 'compliance' | 'start' | 'interval';

export interface Agent {
  readonly state: AgentStateView;
  /** The method registry the socket serves; helpers `register` more methods here. */
  readonly methods: AgentHandlerRegistry;
  readonly terminals: TerminalTokens;
  readonly startedAt: number;
  /** Typed in-process call (the tray or extension holding the agent). Throws StrongroomError. */
  call<M extends AgentMethodName>(name: M, params: AgentParams<M>): Promise<AgentResult<M>>;
  start(): Promise<void>;
  stop(): void;
  /** Hosts call this on resume from sleep, unlock, network change: re-check posture and the session. */
  trigger(reason: AgentTrigger): void;
  registerCredentialKind(kind: string, handler: AgentCredentialHandler): void;
  /** Helpers with in-memory caches drop them here when the agent wipes. Returns unsubscribe. */
  onWipe(listener: (scope: AgentWipeScope) => void): () => void;
  /** Sign in through the browser (the session controller's login), then follow the session. */
  signIn(): Promise<void>;
  /** Revoke at the broker and wipe everything local. */
  signOut(): Promise<void>;
  /** Settles when the work started so far (posture run, syncs, reactions) is done; for tests and shutdown. */
  idle(): Promise<void>;
}

/** A token this close to its refresh point is not handed out from memory. */
const MINUTE = 60_000;
/** Errors after which the session is over (refreshSession has wiped the vault already). */
const SESSION_OVER = new Set([
  'not_signed_in',
  'session_expired',
  'token_invalid',
  'insufficient_authentication',
]);

/**
 * The always-on agent (issue 8), host-free: the tray is its home, `strongroom agent` runs it
 * headless, the CLI and the extension are its clients.
 *
 * - Holds the session and refreshes it at ~80% of each access token's life, but only while the
 *   device's posture allows it (`postureAllows`, default: every check passed) and nothing is
 *   locked. While posture fails, the one call that may still refresh is the attestation itself:
 *   it is how the broker learns of the failure (and ends restricted grants) and of the fix.
 * - Runs the posture checks every 5 minutes and on `trigger` (resume, unlock, network change, a
 *   device.compliance event), attests to the broker, and shows a regression at once with the fix.
 * - Follows the broker's event stream (SSE, resumed with the last event id) and reacts: approved →
 *   notify with Activate; expiring → notify with Extend; grant ended → wipe the credentials issued
 *   under it; session revoked or locked → wipe everything and tell the user why.
 * - Notifications are coalesced (coalesceNotifications): a replayed stream does not cause a storm.
 */
export function createAgent(deps: AgentDeps): Agent {
  const { clock, session, vault, profile, broker, log } = deps;
  const options = deps.options ?? {};
  const postureIntervalMs = options.postureIntervalMs ?? 5 * MINUTE;
  const postureAllows = options.postureAllows ?? ((p: AgentPosture) => p.status === 'pass');
  const store = new AgentStateStore((error) =>
    log('warn', `A state listener failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  const notifier = coalesceNotifications(deps.notifier, clock, {
    ...(options.notificationWindowMs !== undefined ? { windowMs: options.notificationWindowMs } : {}),
  });
  const methods = new AgentHandlerRegistry((message) => log('warn', message));
  const terminals = new TerminalTokens(clock);
  const credentialKinds = new Map<string, AgentCredentialHandler>();
  const wipeListeners = new Set<(scope: AgentWipeScope) => void>();
  const pending = new Set<Promise<unknown>>();
  const grantTimers = new Map<string, () => void>();
  const startedAt = clock.now();

  let stopped = false;
  let summary: SessionSummary | undefined;
  let token: { value: string; summary: SessionSummary } | undefined;
  let cancelRefresh: (() => void) | undefined;
  let cancelPosture: (() => void) | undefined;
  let cancelSync: (() => void) | undefined;
  let refreshHeld = false;
  let enrolled = false;
  let lastReport: PostureReport | undefined;
  let lastAttestedAt = -Infinity;
  let postureRun: Promise<void> | undefined;
  let postureAgain = false;
  let follower: BrokerEventFollower | undefined;

  /** Background work is tracked so `idle()` can wait for it and a failure is logged, never thrown. */
  const track = (what: string, work: Promise<unknown>): void => {
    const p = work.catch((error: unknown) =>
      log('warn', `${what} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const signedIn = (): boolean => store.get().session.status === 'signedIn';
  const locked = (): boolean => store.get().locked !== null;
  const tokenFresh = (): boolean => summary !== undefined && clock.now() < refreshDueAt(summary);
  const mayRefresh = (): boolean => signedIn() && !locked() && postureAllows(store.get().posture);
  /** Calls that use the session without the posture exemption: only with a fresh token or a passing posture. */
  const mayUseSession = (): boolean =>
    signedIn() && !locked() && (postureAllows(store.get().posture) || tokenFresh());

  const emitWipe = (scope: AgentWipeScope): void => {
    for (const listener of [...wipeListeners]) {
      try {
        listener(scope);
      } catch (error) {
        log('warn', `A wipe listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  // ------------------------------------------------------------------ session

  const setSummary = (next: SessionSummary | undefined): void => {
    summary = next;
    store.update({ session: toAgentSession(profile, next) });
  };

  const scheduleRefresh = (): void => {
    cancelRefresh?.();
    cancelRefresh = undefined;
    if (stopped || summary === undefined || locked()) return;
    cancelRefresh = clock.after(refreshDueAt(summary) - clock.now(), () => track('refresh', refreshNow()));
  };

  const refreshNow = async (): Promise<void> => {
    if (stopped || !signedIn() || locked()) return;
    if (!mayRefresh()) {
      // Held, not dropped: the next passing posture run refreshes at once.
      refreshHeld = true;
      log('info', 'Session refresh held: device posture does not pass');
      return;
    }
    refreshHeld = false;
    try {
      const value = await session.accessToken();
      const next = await session.status();
      if (next === undefined)
        throw new StrongroomError('not_signed_in', 'The session disappeared from the vault.');
      token = { value, summary: next };
      setSummary(next);
      scheduleRefresh();
      follower?.resume();
    } catch (error) {
      await sessionFailed(error, 'refresh');
    }
  };

  /** A broker or vault failure while using the session: retry what heals, end what does not. */
  const sessionFailed = async (error: unknown, what: string): Promise<void> => {
    const failure =
      error instanceof StrongroomError
        ? error
        : new StrongroomError('internal', `${what} failed`, { cause: error });
    if (failure.code === 'locked') return lockDown(failure.message, 'broker');
    if (SESSION_OVER.has(failure.code)) return sessionEnded(failure);
    log('warn', `${what} will retry: ${failure.message}`);
    cancelRefresh?.();
    cancelRefresh = clock.after(30_000, () => track('refresh', refreshNow()));
  };

  const clearLocal = async (): Promise<void> => {
    cancelRefresh?.();
    cancelRefresh = undefined;
    token = undefined;
    summary = undefined;
    enrolled = false;
    terminals.revokeAll();
    for (const cancel of grantTimers.values()) cancel();
    grantTimers.clear();
    try {
      await vault.clearProfile(profile.name);
    } catch (error) {
      log('error', `Could not wipe the vault: ${error instanceof Error ? error.message : String(error)}`);
    }
    emitWipe({ kind: 'all' });
  };

  const sessionEnded = async (reason: StrongroomError): Promise<void> => {
    if (!signedIn() && summary === undefined) return;
    await clearLocal();
    store.update({ session: { status: 'signedOut' }, grants: [], toApprove: [] });
    notifier.show({
      key: 'session:ended',
      severity: 'warning',
      title: 'Your Strongroom session ended',
      body: `${reason.message} Local credentials were removed; sign in again to continue.`,
      actions: [{ kind: 'signIn' }],
    });
  };

  /** Session revoked, user or device locked: wipe everything, say why, refuse until a new sign-in. */
  const lockDown = async (reason: string, source: string, thumbprint?: string): Promise<void> => {
    if (locked()) return;
    if (thumbprint !== undefined && summary !== undefined && thumbprint !== summary.deviceKeyThumbprint) {
      // Another of the user's devices was locked: this one's session stays; its grants ended.
      notifier.show({
        key: `lock:other-device:${thumbprint}`,
        severity: 'warning',
        title: 'Strongroom locked another of your devices',
        body: `${reason} Your grants were ended; this device stays signed in.`,
        actions: [],
      });
      await syncGrants();
      return;
    }
    const at = clock.now();
    store.update({
      locked: { reason, source, at },
      session: { status: 'signedOut' },
      grants: [],
      toApprove: [],
    });
    await clearLocal();
    notifier.show({
      key: `lock:${source}`,
      severity: 'critical',
      title:
        source === 'session.revoked'
          ? 'Your Strongroom session was revoked'
          : 'Strongroom locked this device',
      body: `${reason} Every credential on this device was wiped. Sign in again once this is resolved.`,
      actions: [{ kind: 'signIn' }],
    });
  };

  /** Re-reads the vault: notices a sign-in or sign-out by another process (the CLI). */
  const syncSession = async (): Promise<void> => {
    const next = await session.status();
    const was = summary;
    if (next === undefined) {
      if (was !== undefined) {
        log('info', 'Signed out elsewhere');
        await clearLocal();
        store.update({ session: { status: 'signedOut' }, grants: [], toApprove: [] });
      }
      return;
    }
    const lock = store.get().locked;
    // A lock holds until the user signs in again (a session that began after it).
    if (lock !== null) {
      if (next.authTime <= lock.at) return;
      store.update({ locked: null });
    }
    const isNew = was === undefined || was.authTime !== next.authTime || was.subject !== next.subject;
    setSummary(next);
    if (isNew) {
      enrolled = false;
      token = undefined;
      follower?.resume();
      runPosture('start');
      track('grants', syncLists());
    }
    if (isNew || cancelRefresh === undefined) scheduleRefresh();
  };

  const scheduleSessionSync = (): void => {
    cancelSync?.();
    if (stopped) return;
    cancelSync = clock.after(options.sessionSyncMs ?? MINUTE, () => {
      track('session sync', syncSession());
      scheduleSessionSync();
    });
  };

  // ------------------------------------------------------------------ posture

  const attest = async (report: PostureReport): Promise<void> => {
    if (!signedIn() || locked()) return;
    try {
      const key = await deps.deviceKey();
      if (!enrolled) {
        await enrollDevice(broker, key, await deps.posture.platformFacts());
        enrolled = true;
      }
      const verdict = await attestPosture({
        client: broker,
        key,
        report,
        agentVersion: deps.version,
        now: clock.now,
      });
      lastAttestedAt = clock.now();
      store.update((s) => ({
        posture: {
          ...s.posture,
          attestation: { compliant: verdict.compliant, attestedAt: Date.parse(verdict.attestedAt) },
          attestationError: null,
        },
      }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      store.update((s) => ({
        posture: { ...s.posture, attestation: null, attestationError: message.slice(0, 500) },
      }));
      if (error instanceof StrongroomError && (SESSION_OVER.has(error.code) || error.code === 'locked'))
        await sessionFailed(error, 'attestation');
      else log('warn', `Posture attestation failed: ${message}`);
    }
  };

  const postureOnce = async (): Promise<void> => {
    let report: PostureReport;
    try {
      report = await deps.posture.run();
    } catch (error) {
      log('warn', `Posture checks failed to run: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    lastReport = report;
    const before = store.get().posture;
    const next = summarizePosture(report);
    store.update({ posture: { ...before, ...next } });
    if (next.status === 'fail' && before.status !== 'fail') {
      const failing = next.failing.filter((c) => c.status === 'fail');
      notifier.show({
        key: `posture:fail:${failing.map((c) => c.id).join(',')}`,
        severity: 'warning',
        title: `Device posture failing: ${failing.map((c) => c.title).join(', ')}`,
        body: failing.map((c) => `${c.title}: ${c.fix}`).join('\n'),
        actions: [{ kind: 'showPosture' }],
      });
    }
    await attest(report);
    if (refreshHeld && mayRefresh()) await refreshNow();
    else if (mayRefresh() && summary !== undefined && !tokenFresh()) await refreshNow();
    // The event stream waits while the session may not be used (stale token, posture unknown at
    // start or failing): a passing run (or a fresh token) lets it connect now.
    follower?.resume();
  };

  const runPosture = (reason: AgentTrigger): void => {
    if (stopped) return;
    log('debug', `Posture check (${reason})`);
    if (postureRun !== undefined) {
      postureAgain = true;
      return;
    }
    cancelPosture?.();
    postureRun = (async () => {
      do {
        postureAgain = false;
        await postureOnce();
      } while (postureAgain && !stopped);
    })().finally(() => {
      postureRun = undefined;
      if (!stopped) cancelPosture = clock.after(postureIntervalMs, () => runPosture('interval'));
    });
    track('posture', postureRun);
  };

  // ------------------------------------------------------------------ grants

  const wipeGrant = async (grantId: string): Promise<void> => {
    grantTimers.get(grantId)?.();
    grantTimers.delete(grantId);
    terminals.revokeGrant(grantId);
    const removed = await wipeGrantCredentials(vault, profile.name, grantId);
    if (removed.length > 0) log('info', `Wiped ${String(removed.length)} credential(s) of grant ${grantId}`);
    emitWipe({ kind: 'grant', grantId });
    store.update((s) => ({ grants: s.grants.filter((g) => g.id !== grantId) }));
  };

  const toAgentGrant = (g: GrantView): AgentGrant => ({
    id: g.id,
    requestId: g.requestId,
    target: { type: g.target.type, id: g.target.id },
    tier: g.tier,
    state: g.state === 'active' ? 'active' : 'approved',
    emergency: g.emergency,
    durationMinutes: g.durationMinutes,
    activateBy: g.activateBy,
    expiresAt: g.expiresAt,
    ...(g.covers === undefined ? {} : { covers: g.covers.map((a) => ({ type: a.type, id: a.id })) }),
  });

  /** A local deadline too: credentials go at the grant's end even if the broker's event never comes. */
  const watchGrantEnd = (grant: AgentGrant): void => {
    const end = grant.state === 'active' ? grant.expiresAt : grant.activateBy;
    if (end === null) return;
    grantTimers.get(grant.id)?.();
    grantTimers.set(
      grant.id,
      clock.after(end - clock.now(), () => track('grant end', wipeGrant(grant.id))),
    );
  };

  const syncGrants = async (): Promise<void> => {
    if (!mayUseSession()) return;
    const { grants } = await brokerJson(broker, 'GET', '/api/v1/grants', grantsResponseSchema);
    const live = grants.filter((g) => g.state !== 'ended').map(toAgentGrant);
    const liveIds = new Set(live.map((g) => g.id));
    for (const old of store.get().grants) if (!liveIds.has(old.id)) await wipeGrant(old.id);
    // Credentials of grants that ended while the agent was not running (or missed the event).
    const tags = new Set(live.map((g) => grantTag(g.id)));
    for (const name of await vault.list(profile.name))
      if (isAnyGrantCredentialEntry(name) && ![...tags].some((t) => isGrantCredentialEntry(name, t)))
        await vault.delete(profile.name, name);
    for (const g of live) watchGrantEnd(g);
    store.update({ grants: live });
  };

  const syncToApprove = async (): Promise<void> => {
    if (!mayUseSession()) return;
    const { requests } = await brokerJson(
      broker,
      'GET',
      '/api/v1/requests?toReview=1',
      requestsResponseSchema,
    );
    store.update({ toApprove: requests });
  };

  const syncLists = async (): Promise<void> => {
    await Promise.all([syncGrants(), syncToApprove()]);
  };

  // ------------------------------------------------------------------ events

  const onEvent = async (event: UserEvent): Promise<void> => {
    await reactToBrokerEvent(event, {
      notify: (n) => notifier.show(n),
      lockDown,
      wipeGrant,
      syncGrants,
      syncToApprove,
      recheckPosture: () => {
        // Our own attestation causes device.compliance; re-check only when it did not come from us just now.
        if (clock.now() - lastAttestedAt > MINUTE) runPosture('compliance');
      },
      log,
    });
  };

  const agent: Agent = {
    state: store,
    methods,
    terminals,
    startedAt,
    call: (name, params) => methods.invoke(name, params),
    async start() {
      await syncSession().catch((error: unknown) => sessionFailed(error, 'session read'));
      // A session found at start has begun a run already (syncSession); without one, run now.
      if (postureRun === undefined) runPosture('start');
      scheduleSessionSync();
      follower = followBrokerEvents({
        broker,
        clock,
        log,
        onEvent,
        onConnection: (open) => {
          store.update({ connected: open });
          // Whatever happened while the stream was down: re-read the lists.
          if (open) track('sync', syncLists());
        },
        mayConnect: mayUseSession,
        onRefused: (error) => track('stream refused', sessionFailed(error, 'event stream')),
      });
    },
    stop() {
      stopped = true;
      follower?.stop();
      cancelRefresh?.();
      cancelPosture?.();
      cancelSync?.();
      for (const cancel of grantTimers.values()) cancel();
      notifier.stop();
      token = undefined;
    },
    trigger(reason) {
      track('trigger', syncSession());
      if (reason === 'network' || reason === 'resume') follower?.reconnect();
      else follower?.resume();
      runPosture(reason);
    },
    registerCredentialKind(kind, handler) {
      if (credentialKinds.has(kind))
        throw new StrongroomError('internal', `Credential kind "${kind}" is already registered.`);
      credentialKinds.set(kind, handler);
    },
    onWipe(listener) {
      wipeListeners.add(listener);
      return () => wipeListeners.delete(listener);
    },
    async signIn() {
      await session.login();
      await syncSession();
    },
    async signOut() {
      await session.logout();
      await clearLocal();
      store.update({ session: { status: 'signedOut' }, grants: [], toApprove: [], locked: null });
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };

  registerAgentMethods(methods, {
    deps,
    state: store,
    terminals,
    credentialKinds,
    startedAt,
    postureAllows,
    lastReport: () => lastReport,
    runPosture: async () => {
      runPosture('manual');
      while (postureRun !== undefined) await postureRun;
    },
    accessToken: async () => {
      if (token !== undefined && clock.now() < refreshDueAt(token.summary)) return token;
      if (!mayRefresh()) {
        // Posture holds refreshing back; a token that is still fresh in the vault is fine.
        const fresh = summary !== undefined && tokenFresh();
        if (!fresh)
          throw new StrongroomError('posture_failing', 'Device posture does not pass.', {
            hint: 'Run `strongroom posture` and apply the fixes.',
          });
      }
      const value = await session.accessToken();
      const next = await session.status();
      if (next === undefined)
        throw new StrongroomError('not_signed_in', `You are not signed in to ${profile.broker}.`);
      token = { value, summary: next };
      setSummary(next);
      return token;
    },
    afterChange: () => track('sync', syncLists()),
    trigger: (reason) => agent.trigger(reason),
  });
  return agent;
}
