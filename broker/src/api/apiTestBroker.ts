import type { AlertDeps } from '../alerts/AlertDeps.js';
import { createHash, randomUUID, webcrypto } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceKey, DevicePublicJwk, SoftwareDeviceKey } from '@strongroom/shared/device/DeviceKey.js';
import { jwkThumbprint } from '@strongroom/shared/device/jwkThumbprint.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type Provider from 'oidc-provider';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { createBrokerServer } from '../http/createBrokerServer.js';
import { oidcAdapter } from '../store/oidcAdapter.js';
import type { UserRecord } from '../store/records.js';
import { openSqliteStore } from '../store/SqliteStore.js';
import type { JitDeps } from '../jit/JitDeps.js';
import type { Store } from '../store/Store.js';
import { makeUser } from '../store/storeFixtures.js';

/** A device as a client has it: a real P-256 key pair behind the shared `DeviceKey` interface. */
export async function makeTestDeviceKey(): Promise<SoftwareDeviceKey> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const pair = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const publicJwk: DevicePublicJwk = { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
  return {
    protection: 'software',
    publicJwk,
    thumbprint: jwkThumbprint(publicJwk),
    keyPair: pair,
    sign: async (data) =>
      new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data)),
  };
}

export interface ProofOverrides {
  htm?: string;
  htu?: string;
  /** Seconds. */
  iat?: number;
  jti?: string;
  ath?: string;
  typ?: string;
  /** Sign with this key instead (its public JWK goes in the header). */
  key?: DeviceKey;
}

export interface ApiCall {
  key: DeviceKey;
  token: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  proof?: ProofOverrides;
  /** Replaces the whole Authorization header. */
  authorization?: string;
  /** Replaces the DPoP header (`null`: none). */
  dpop?: string | null;
}

export interface ApiTestBroker {
  app: FastifyInstance;
  provider: Provider;
  /** The JIT/policy dependencies the server runs with (for testing functions behind routes). */
  jit: JitDeps;
  /** Detectors, alerts and locks (issue 9). */
  alerts: AlertDeps;
  store: Store;
  issuer: string;
  /** The broker's clock in ms; kept near real time (oidc-provider checks expiry on its own clock). */
  clock: { now: number };
  newUser(overrides?: Partial<UserRecord>): Promise<UserRecord>;
  /** A DPoP-bound access token issued by the real provider (the login ceremony is tested elsewhere). */
  issueToken(
    user: UserRecord,
    key: DeviceKey,
    options?: { jkt?: string | null; expiresIn?: number; aud?: string },
  ): Promise<string>;
  proof(
    key: DeviceKey,
    claims: { htm: string; htu: string; accessToken: string },
    overrides?: ProofOverrides,
  ): Promise<string>;
  call(call: ApiCall): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The real broker server (createBrokerServer) on a real SQLite store, driven with inject(). */
export async function apiTestBroker(): Promise<ApiTestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'strongroom-api-'));
  const store = await openSqliteStore(dir);
  const config = loadBrokerConfig({ port: 7700 });
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const { app, provider, jit, alerts } = await createBrokerServer({
    config,
    store,
    makeAdapter: (s) => oidcAdapter(s, { now }),
    now,
  });
  const issuer = config.issuer;

  const proof: ApiTestBroker['proof'] = async (key, claims, o = {}) => {
    const signer = o.key ?? key;
    // Signed through DeviceKey.sign (as the clients do), so a TPM-backed key works here too.
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64({ typ: o.typ ?? 'dpop+jwt', alg: 'ES256', jwk: { ...signer.publicJwk } })}.${b64({
      htm: o.htm ?? claims.htm,
      htu: o.htu ?? claims.htu,
      iat: o.iat ?? Math.floor(clock.now / 1000),
      jti: o.jti ?? randomUUID(),
      ath: o.ath ?? createHash('sha256').update(claims.accessToken).digest('base64url'),
    })}`;
    return `${input}.${Buffer.from(await signer.sign(new TextEncoder().encode(input))).toString('base64url')}`;
  };

  return {
    app,
    provider,
    jit,
    alerts,
    store,
    issuer,
    clock,
    newUser: (overrides = {}) => store.createUser(makeUser(overrides)),
    async issueToken(user, key, options = {}) {
      const client = await provider.Client.find('strongroom-cli');
      if (!client) throw new Error('no strongroom-cli client');
      const grant = new provider.Grant({ accountId: user.id, clientId: client.clientId });
      grant.addOIDCScope('openid email profile');
      const grantId = await grant.save();
      const token = new provider.AccessToken({
        client,
        accountId: user.id,
        grantId,
        gty: 'authorization_code',
        scope: 'openid email profile',
        expiresIn: options.expiresIn ?? 600,
        ...(options.jkt === null ? {} : { jkt: options.jkt ?? key.thumbprint }),
        ...(options.aud === undefined ? {} : { aud: options.aud }),
      });
      return token.save();
    },
    proof,
    async call(c) {
      const url = `${issuer}${c.path}`;
      const headers: Record<string, string> = {
        authorization: c.authorization ?? `DPoP ${c.token}`,
      };
      const dpop =
        c.dpop === undefined
          ? await proof(c.key, { htm: c.method, htu: url, accessToken: c.token }, c.proof)
          : c.dpop;
      if (dpop !== null) headers['dpop'] = dpop;
      return app.inject({
        method: c.method,
        url: c.path,
        headers,
        ...(c.body === undefined ? {} : { payload: c.body as object }),
      });
    },
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
