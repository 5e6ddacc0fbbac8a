import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { brokerWithKey, type BrokerWithKey } from './harness/brokerWithKey.js';
import { currentDpopNonce, dpopProof, newDpopKey, type DpopKey } from './harness/dpopProof.js';
import { signInWithKey } from './harness/keyCeremonies.js';
import type { LoopbackReceiver } from './harness/loopbackReceiver.js';
import { CLI_CLIENT_ID, nativeClient, type NativeClient } from './harness/nativeClient.js';
import type { RunningBroker } from './harness/startBroker.js';

// Real browser and broker processes on a shared 2-core machine: generous, not wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// Every OAuth rule the broker enforces, attacked one at a time against the real broker process.
describe('broker: OAuth bad input (PKCE, codes, redirect URIs, DPoP, refresh)', () => {
  let world: BrokerWithKey;
  let broker: RunningBroker;
  let page: Page;
  let receiver: LoopbackReceiver;
  let client: NativeClient;
  let tokenEndpoint: string;

  beforeAll(async () => {
    world = await brokerWithKey();
    ({ broker, page, receiver } = world);
    client = await nativeClient(broker.issuer);
    tokenEndpoint = `${broker.issuer}/token`;
  });
  afterAll(async () => world?.close());

  /** Signs in with the key and returns the callback URL (code or error) for these parameters. */
  async function authorize(params: Record<string, string> = {}) {
    const login = await client.begin(receiver.redirectUri, params);
    const callback = receiver.nextCallback();
    await signInWithKey(page, login.url);
    return { login, callback: await callback };
  }

  async function rawToken(form: Record<string, string>, dpop?: string) {
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpop ? { dpop } : {}) },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as { error?: string; error_description?: string } };
  }

  async function codeExchange(dpopKey: DpopKey, proof: (nonce: string) => Promise<string>) {
    const { login, callback } = await authorize();
    const code = callback.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    const nonce = await currentDpopNonce(tokenEndpoint);
    void dpopKey;
    return rawToken(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: receiver.redirectUri,
        client_id: CLI_CLIENT_ID,
        code_verifier: login.codeVerifier,
      },
      await proof(nonce),
    );
  }

  it('refuses an authorization request without PKCE', async () => {
    const { callback } = await authorize({ code_challenge: '', code_challenge_method: '' });
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('refuses PKCE plain', async () => {
    const { callback } = await authorize({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expect(callback.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses an unregistered redirect URI without redirecting to it', async () => {
    for (const redirect of [
      'http://evil.example/callback',
      'http://127.0.0.1:5555/other-path',
      'http://localhost:5555/callback',
    ]) {
      const login = await client.begin(redirect);
      const response = await page.goto(login.url.toString());
      expect(response?.status()).toBe(400);
      expect(new URL(page.url()).host).toBe(new URL(broker.issuer).host);
      expect(await page.getByTestId('error-code').textContent()).toBe('invalid_redirect_uri');
    }
  });

  it('refuses a wrong code_verifier', async () => {
    const { login, callback } = await authorize();
    const tampered = { ...login, codeVerifier: oidc.randomPKCECodeVerifier() };
    await expect(
      oidc.authorizationCodeGrant(
        client.config,
        callback,
        {
          pkceCodeVerifier: tampered.codeVerifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
        },
        undefined,
        { DPoP: client.dpop },
      ),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses code reuse and revokes what the code already issued', async () => {
    const { login, callback } = await authorize();
    const tokens = await login.finish(callback);
    await expect(login.finish(callback)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.userinfo(tokens.access_token, tokens.claims()?.sub ?? '')).rejects.toBeInstanceOf(
      Error,
    );
    await expect(client.refresh(tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('requires a DPoP proof for the public client', async () => {
    const key = await newDpopKey();
    const { login, callback } = await authorize();
    const result = await rawToken({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: receiver.redirectUri,
      client_id: CLI_CLIENT_ID,
      code_verifier: login.codeVerifier,
    });
    void key;
    expect(result.status).toBe(400);
    expect(result.body.error).toMatch(/invalid_grant|invalid_request|invalid_dpop_proof/);
    expect(JSON.stringify(result.body)).not.toContain('access_token');
  });

  it('refuses DPoP proofs with the wrong htm, the wrong htu, or a stale iat', async () => {
    const key = await newDpopKey();
    const cases: [string, (nonce: string) => Promise<string>][] = [
      ['htm', (nonce) => dpopProof(key, { htm: 'GET', htu: tokenEndpoint, nonce })],
      ['htu', (nonce) => dpopProof(key, { htm: 'POST', htu: `${broker.issuer}/me`, nonce })],
      [
        'iat',
        (nonce) =>
          dpopProof(key, {
            htm: 'POST',
            htu: tokenEndpoint,
            nonce,
            iat: Math.floor(Date.now() / 1000) - 3600,
          }),
      ],
      ['nonce', () => dpopProof(key, { htm: 'POST', htu: tokenEndpoint, nonce: 'not-a-server-nonce' })],
    ];
    for (const [rule, proof] of cases) {
      const result = await codeExchange(key, proof);
      expect({ rule, status: result.status, error: result.body.error }).toMatchObject({
        rule,
        status: 400,
        error: expect.stringMatching(/invalid_dpop_proof|use_dpop_nonce/),
      });
    }
    // And the same flow with a correct proof works, so the failures above were the rule under test.
    const ok = await codeExchange(key, (nonce) => dpopProof(key, { htm: 'POST', htu: tokenEndpoint, nonce }));
    expect(ok.status).toBe(200);
  });

  it('refuses a replayed DPoP proof (same jti)', async () => {
    const key = await newDpopKey();
    let proof = '';
    const first = await codeExchange(key, async (nonce) => {
      proof = await dpopProof(key, { htm: 'POST', htu: tokenEndpoint, nonce });
      return proof;
    });
    expect(first.status).toBe(200);
    const refreshToken = (first.body as { refresh_token?: string }).refresh_token ?? '';
    const replay = await rawToken(
      { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLI_CLIENT_ID },
      proof,
    );
    expect(replay.status).toBe(400);
    expect(replay.body.error).toMatch(/invalid_grant|invalid_dpop_proof/);
    // Control: the same request with a fresh proof (new jti) from the same key succeeds, so the
    // refusal above was the replayed jti and nothing else.
    const fresh = await rawToken(
      { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLI_CLIENT_ID },
      await dpopProof(key, { htm: 'POST', htu: tokenEndpoint, nonce: await currentDpopNonce(tokenEndpoint) }),
    );
    expect(fresh.status).toBe(200);
  });

  it('refuses a refresh or an API call signed by another key than the token is bound to', async () => {
    const { login, callback } = await authorize();
    const tokens = await login.finish(callback);
    const other = await newDpopKey();
    const nonce = await currentDpopNonce(tokenEndpoint);
    const refresh = await rawToken(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '', client_id: CLI_CLIENT_ID },
      await dpopProof(other, { htm: 'POST', htu: tokenEndpoint, nonce }),
    );
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');

    const me = await fetch(`${broker.issuer}/me`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await dpopProof(other, {
          htm: 'GET',
          htu: `${broker.issuer}/me`,
          accessToken: tokens.access_token,
        }),
      },
    });
    expect(me.status).toBe(401);
    // The legitimate key still works: the failures did not break the session.
    await client.userinfo(tokens.access_token, tokens.claims()?.sub ?? '');
  });
});
