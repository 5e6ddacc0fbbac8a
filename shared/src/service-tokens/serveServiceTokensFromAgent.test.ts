import { describe, expect, it } from 'vitest';
import type { AgentCredentialHandler, AgentWipeScope } from '../agent/AgentCredentialHandler.js';
import { inProcessCall } from '../agent/AgentCall.js';
import { systemClock } from '../agent/AgentClock.js';
import { AgentHandlerRegistry } from '../agent/AgentHandlerRegistry.js';
import { AgentStateStore } from '../agent/AgentState.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { AgentMethodName, AgentResult } from '../protocol/agentApi.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { serveServiceTokensFromAgent, type ServiceTokenAgentHost } from './serveServiceTokensFromAgent.js';
import { cacheServiceToken } from './serviceTokenCache.js';

const MIN = 60_000;
const PROFILE = {
  name: 'p',
  broker: 'http://localhost:1',
  clientId: 'strongroom-cli',
  acr: 'urn:strongroom:acr:hwk',
};

/**
 * The helper against the agent's real state store and method registry, with the agent's `token`
 * method at the edge (it only gates: the tokens come from the keychain cache, so no broker runs).
 */
function world() {
  let now = 1_000_000;
  // When set, the agent's `token` call waits for it: an exchange held in flight.
  let gate: Promise<void> | undefined;
  const vault = createMemoryCredentialStore(() => now);
  const state = new AgentStateStore(() => undefined);
  const methods = new AgentHandlerRegistry(() => undefined);
  const kinds = new Map<string, AgentCredentialHandler>();
  const wipes = new Set<(scope: AgentWipeScope) => void>();
  const host: ServiceTokenAgentHost = {
    state,
    methods,
    call: <M extends AgentMethodName>(name: M) => {
      if (name !== 'token') throw new Error(`unexpected ${name}`);
      if (state.get().locked !== null) throw new StrongroomError('locked', 'locked');
      return (gate ?? Promise.resolve()).then(
        () =>
          ({
            accessToken: 'at',
            tokenType: 'DPoP',
            expiresAt: now + MIN,
          }) as AgentResult<M>,
      );
    },
    registerCredentialKind: (kind, handler) => kinds.set(kind, handler),
    onWipe: (listener) => {
      wipes.add(listener);
      return () => wipes.delete(listener);
    },
  };
  state.update({
    session: {
      status: 'signedIn',
      profile: 'p',
      broker: PROFILE.broker,
      user: { subject: 's', email: null, name: null },
      amr: ['hwk'],
      acr: PROFILE.acr,
      authTime: now,
      accessTokenExpiresAt: now + MIN,
      sessionEndsAt: now + 60 * MIN,
      sessionEndSource: 'id_token',
      deviceKey: { thumbprint: 't', protection: 'software' },
    },
    posture: { status: 'pass', failing: [], checkedAt: now, attestation: null, attestationError: null },
    grants: ['g-1', 'g-2'].map((id) => ({
      id,
      requestId: `r-${id}`,
      target: { type: 'Role', id: 'ml-researcher' },
      tier: 'internal',
      state: 'active' as const,
      emergency: false,
      durationMinutes: 60,
      activateBy: now + 60 * MIN,
      expiresAt: now + 60 * MIN,
    })),
  });
  const service = serveServiceTokensFromAgent(host, {
    profile: PROFILE,
    vault,
    now: () => now,
    log: () => undefined,
  });
  const seed = (audience: string, grantId: string, token: string) =>
    cacheServiceToken(
      vault,
      'p',
      audience,
      { token, tokenType: 'Bearer', audience: `https://${audience}`, expiresAt: now + 15 * MIN, grantId },
      now,
    );
  const ask = async (params: Record<string, unknown>, method = 'serviceToken.get') => {
    const answer = await methods.dispatch({ v: 1, id: 1, method, params }, inProcessCall);
    return answer.ok
      ? { ok: true as const, result: answer.result }
      : { ok: false as const, error: answer.error };
  };
  return {
    state,
    service,
    kinds,
    vault,
    seed,
    ask,
    wipe: (scope: AgentWipeScope) => wipes.forEach((w) => w(scope)),
    advance: (ms: number) => (now += ms),
    hold: (): (() => void) => {
      let release = (): void => undefined;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('the agent serves service tokens (serviceToken.get/erase, credentials.get kind service-token)', () => {
  it('one fetch serves every ask until due; concurrent asks share it', async () => {
    const w = world();
    await w.seed('ml-git', 'g-1', 'tok-1');
    const answers = await Promise.all([w.ask({ audience: 'ml-git' }), w.ask({ audience: 'ml-git' })]);
    expect(answers.map((a) => a.ok && a.result)).toEqual([
      expect.objectContaining({ token: 'tok-1', grantId: 'g-1', tokenType: 'Bearer' }),
      expect.objectContaining({ token: 'tok-1' }),
    ]);
    expect(await w.ask({ audience: 'ml-git', profile: 'p' })).toMatchObject({
      ok: true,
      result: { token: 'tok-1' },
    });
    expect(w.service.stats()).toEqual({ served: 1, fetched: 1 });
    const generic = await w.kinds.get('service-token')?.(
      { kind: 'service-token', target: 'ml-git' },
      {
        profile: PROFILE,
        vault: w.vault,
        broker: { request: () => Promise.reject(new Error('no broker here')) },
        clock: systemClock,
        grants: w.state.get().grants,
        terminal: undefined,
        peer: inProcessCall.peer,
      },
    );
    expect(generic).toMatchObject({ kind: 'service-token', grantId: 'g-1', credential: { token: 'tok-1' } });
    // Past its refresh point it is fetched again (here: the keychain no longer has it either).
    w.advance(14 * MIN);
    expect(await w.ask({ audience: 'ml-git' })).toMatchObject({ ok: false });
    expect(w.service.stats().fetched).toBe(2);
  });

  it("drops what it holds when the agent wipes a grant or everything, or no longer lists the token's grant", async () => {
    const w = world();
    await w.seed('ml-git', 'g-1', 'tok-1');
    await w.seed('k8s', 'g-2', 'tok-2');
    await w.ask({ audience: 'ml-git' });
    await w.ask({ audience: 'k8s' });
    w.wipe({ kind: 'grant', grantId: 'g-1' });
    await w.ask({ audience: 'ml-git' });
    await w.ask({ audience: 'k8s' });
    expect(w.service.stats()).toEqual({ served: 1, fetched: 3 });
    w.wipe({ kind: 'all' });
    await w.ask({ audience: 'k8s' });
    expect(w.service.stats()).toEqual({ served: 1, fetched: 4 });
    // The grant's end has not reached the agent's wipe yet, but its list no longer has it.
    w.state.update((s) => ({ grants: s.grants.filter((g) => g.id !== 'g-2') }));
    // Nor is the keychain's copy served (as right after the agent starts, before its first grant
    // sync): it is erased, and a fresh exchange (no broker here) decides.
    expect(await w.ask({ audience: 'k8s' })).toMatchObject({ ok: false });
    expect(w.service.stats()).toEqual({ served: 1, fetched: 5 });
    expect((await w.vault.list('p')).filter((name) => name.includes('k8s'))).toEqual([]);
  });

  it('a token whose exchange was in flight when its grant ended is neither served nor kept', async () => {
    for (const scope of [{ kind: 'grant', grantId: 'g-1' }, { kind: 'all' }] as const) {
      const w = world();
      await w.seed('ml-git', 'g-1', 'tok-1');
      const release = w.hold();
      const asked = w.ask({ audience: 'ml-git' });
      await new Promise((resolve) => setImmediate(resolve));
      w.wipe(scope);
      release();
      expect(await asked).toMatchObject({ ok: false, error: { message: expect.stringMatching(/ended/) } });
      expect(await w.vault.list('p')).toEqual([]);
      // The next ask starts afresh (here: nothing cached, nothing held).
      expect(await w.ask({ audience: 'ml-git' })).toMatchObject({ ok: false });
    }
    // A wipe of another grant does not spoil this one.
    const w = world();
    await w.seed('ml-git', 'g-1', 'tok-1');
    const release = w.hold();
    const asked = w.ask({ audience: 'ml-git' });
    await new Promise((resolve) => setImmediate(resolve));
    w.wipe({ kind: 'grant', grantId: 'g-2' });
    release();
    expect(await asked).toMatchObject({ ok: true, result: { token: 'tok-1' } });
  });

  it('refuses another profile, a lock, a sign-out, a failing posture and malformed params; erase forgets', async () => {
    const w = world();
    await w.seed('ml-git', 'g-1', 'tok-1');
    expect(await w.ask({ audience: 'ml-git', profile: 'other' })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringMatching(/serves profile "p"/) },
    });
    for (const bad of [{ audience: '' }, { audience: 'a b' }, { audience: 'ml-git', extra: 1 }, {}, null])
      expect(await w.ask(bad as Record<string, unknown>)).toMatchObject({
        ok: false,
        error: { code: 'invalid_params' },
      });
    w.state.update((s) => ({ posture: { ...s.posture, status: 'fail' } }));
    expect(await w.ask({ audience: 'ml-git' })).toMatchObject({
      ok: false,
      error: { code: 'posture_failing' },
    });
    w.state.update((s) => ({ posture: { ...s.posture, status: 'pass' } }));
    w.state.update({ locked: { reason: 'revoked', source: 'session.revoked', at: 1 } });
    expect(await w.ask({ audience: 'ml-git' })).toMatchObject({ ok: false, error: { code: 'locked' } });
    w.state.update({ locked: null, session: { status: 'signedOut' } });
    expect(await w.ask({ audience: 'ml-git' })).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
    expect(w.service.stats().fetched).toBe(0);
    expect(await w.ask({ audience: 'ml-git' }, 'serviceToken.erase')).toMatchObject({ ok: true });
    expect(await w.vault.list('p')).toEqual([]);
  });
});
