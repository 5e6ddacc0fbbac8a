import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../../jit/jitWorld.test-support.js';
import { WEB_IDENTITY_TOKEN_SECONDS } from './issueAwsWebIdentity.js';

const MIN = 60_000;
const RAW_ARN = 'arn:aws:iam::111122223333:role/strongroom/corp-ml-raw-reader';
const reason = 'investigate label drift in the raw chat exports';
const PATH = '/api/v1/credentials/aws-web-identity';

/**
 * The AWS web-identity route on the real broker (createBrokerServer, SQLite, default bundle with its
 * catalog `awsRoleArn` mapping): what the token says, that its lifetime follows the grant, the
 * ledger and audit records, and every refusal (audited, 403, nothing issued).
 */
describe('POST /api/v1/credentials/aws-web-identity', () => {
  let w: JitWorld;
  let alice: Person; // ml-engineers: may request restricted-data-reader
  let bob: Person;
  let carol: Person;
  let dave: Person; // another ml-engineer

  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
    bob = await w.person('bob', ['data-stewards']);
    carol = await w.person('carol', ['data-stewards']);
    dave = await w.person('dave', ['ml-engineers']);
  });
  afterEach(async () => w.close());

  /** Request, two approvals, activation: alice's active restricted grant (60 minutes). */
  const activeGrant = async (p: Person = alice): Promise<string> => {
    const created = await w.call(p, 'POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 60,
      reason,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const requestId = (created.body['request'] as { id: string }).id;
    expect((await w.approve(bob, requestId)).status).toBe(200);
    const second = await w.approve(carol, requestId);
    const grantId = (second.body['grant'] as { id: string }).id;
    expect((await w.call(p, 'POST', `/api/v1/grants/${grantId}/activate`)).status).toBe(200);
    return grantId;
  };
  const jwks = async (): Promise<JSONWebKeySet> => {
    const discovery = await w.broker.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    const jwksUri = new URL((discovery.json() as { jwks_uri: string }).jwks_uri);
    return (await w.broker.app.inject({ method: 'GET', url: jwksUri.pathname })).json() as JSONWebKeySet;
  };
  const refusals = async () =>
    (await w.auditNames()).filter((a) => a.activity === 'credential.issue' && a.statusId === 2);

  it('signs a web-identity token for the mapped role: iss, sub, aud, exp, jti, grant, device, session tags', async () => {
    const grantId = await activeGrant();
    const now = w.broker.clock.now;
    const r = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      roleArn: RAW_ARN,
      roleSessionName: 'alice@example.test',
      durationSeconds: 3600,
      grantId,
      audience: 'sts.amazonaws.com',
    });
    const { payload, protectedHeader } = await jwtVerify(
      r.body['token'] as string,
      createLocalJWKSet(await jwks()),
      { issuer: w.broker.issuer, audience: 'sts.amazonaws.com', currentDate: new Date(now) },
    );
    expect(protectedHeader).toMatchObject({ typ: 'JWT', alg: 'ES256' });
    const grantEnd = now + 60 * MIN;
    expect(payload.exp).toBeLessThanOrEqual(Math.floor(Math.min(grantEnd, now + 60 * MIN) / 1000));
    expect(payload).toMatchObject({
      sub: 'alice',
      grant_id: grantId,
      device_id: alice.deviceId,
      target: 'BucketPrefix::s3://corp-ml/raw/',
      'https://aws.amazon.com/tags': {
        principal_tags: {
          'strongroom:user': ['alice@example.test'],
          'strongroom:grant': [grantId],
          'strongroom:device': [alice.deviceId],
        },
      },
    });
    expect(r.body['grantExpiresAt']).toBe(grantEnd);

    // In the ledger (by jti, with the role ARN as audience) and in the audit log.
    const record = await w.broker.store.getIssuedCredential(String(payload.jti));
    expect(record).toMatchObject({
      kind: 'aws-web-identity',
      userId: 'alice',
      deviceId: alice.deviceId,
      grantId,
      audience: RAW_ARN,
      revokedAt: null,
    });
    const issued = (await w.auditNames()).filter((a) => a.activity === 'credential.issue');
    expect(issued).toEqual([
      expect.objectContaining({
        statusId: 1,
        data: expect.objectContaining({ kind: 'aws-web-identity', credentialId: payload.jti, grantId }),
      }),
    ]);
    expect(JSON.stringify(issued)).not.toContain(r.body['token'] as string);

    // The asset's own name maps to the same role.
    const byAsset = await w.call(alice, 'POST', PATH, { role: 's3://corp-ml/raw/', grantId });
    expect(byAsset.body).toMatchObject({ roleArn: RAW_ARN, grantId });
  });

  it('never outlives the grant: STS is asked for exactly the time left, and in its last 15 minutes nothing is issued', async () => {
    const grantId = await activeGrant();
    const grantEnd = w.broker.clock.now + 60 * MIN;
    const freshAt = async (at: number): Promise<void> => {
      w.broker.clock.now = at;
      // Restricted use needs a fresh attestation (< 10 min) and key touch (< 15 min).
      await w.attest(alice);
      await w.broker.store.updateCredentialUse(
        alice.authenticator.credentialId,
        1 + at - grantEnd + 3_600_000,
        at,
      );
    };
    await freshAt(grantEnd - 20 * MIN);
    const r = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader', grantId });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ grantExpiresAt: grantEnd, durationSeconds: 1200 });

    await freshAt(grantEnd - 14 * MIN);
    const late = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader', grantId });
    expect(late.status).toBe(403);
    expect(late.body).toMatchObject({ error: 'grant_ended' });
    expect(late.body['error_description']).toMatch(/ends in 14 min.*at least 15 min.*request a new grant/);
    expect((await refusals()).length).toBe(1);
  });

  it('the JWT only lives long enough to reach STS: a captured one is dead minutes after a lock, the session length rides on DurationSeconds', async () => {
    await activeGrant();
    const now = w.broker.clock.now;
    const r = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ durationSeconds: 3600, grantExpiresAt: now + 60 * MIN });
    const token = r.body['token'] as string;
    const keys = createLocalJWKSet(await jwks());
    const opts = { issuer: w.broker.issuer, audience: 'sts.amazonaws.com' };
    const { payload } = await jwtVerify(token, keys, { ...opts, currentDate: new Date(now) });
    expect(payload.exp).toBe(Math.floor(now / 1000) + WEB_IDENTITY_TOKEN_SECONDS);
    expect(r.body['expiresAt']).toBe(now + WEB_IDENTITY_TOKEN_SECONDS * 1000);
    // What STS would check (exp, nothing else of ours): past it the token is refused.
    const later = new Date(now + (WEB_IDENTITY_TOKEN_SECONDS + 1) * 1000);
    await expect(jwtVerify(token, keys, { ...opts, currentDate: later })).rejects.toThrow(/exp/);
  });

  it('refuses, audits and issues nothing: no grant, a role the grant does not cover, an unknown role, a foreign or ended grant, a failing device', async () => {
    const cases: Array<[string, () => Promise<{ status: number; body: Record<string, unknown> }>, RegExp]> = [
      [
        'no grant',
        () => w.call(alice, 'POST', PATH, { role: 'restricted-data-reader' }),
        /no active grant covers/,
      ],
    ];
    for (const [, call, why] of cases) {
      const r = await call();
      expect(r.status).toBe(403);
      expect(r.body['error_description']).toMatch(why);
    }
    const grantId = await activeGrant();
    const more: Array<[() => Promise<{ status: number; body: Record<string, unknown> }>, RegExp, string]> = [
      // ml-researcher's bucket: alice holds the restricted grant only.
      [
        () => w.call(alice, 'POST', PATH, { role: 's3://corp-ml/checkpoints/', grantId }),
        /does not cover/,
        'forbidden',
      ],
      [() => w.call(alice, 'POST', PATH, { role: 'nope' }), /no AWS role is mapped to "nope"/, 'not_found'],
      [() => w.call(alice, 'POST', PATH, { role: 'gpu-a100' }), /no AWS role is mapped/, 'not_found'],
      // Dave names alice's grant: answered like an unknown one.
      [
        () => w.call(dave, 'POST', PATH, { role: 'restricted-data-reader', grantId }),
        /no such grant/,
        'not_found',
      ],
      [
        () => w.call(alice, 'POST', PATH, { role: 'restricted-data-reader', grantId: 'no-such-grant' }),
        /no such grant/,
        'not_found',
      ],
    ];
    for (const [call, why, code] of more) {
      const r = await call();
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(r.body).toMatchObject({ error: code });
      expect(r.body['error_description']).toMatch(why);
    }
    // A failing posture check: policy says no, with the fact that failed.
    w.broker.clock.now += 1000;
    await w.attest(alice, { disk_encryption: 'fail' });
    const posture = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader' });
    expect(posture.status).toBe(403);
    expect(posture.body['error_description']).toMatch(/disk encryption/);
    w.broker.clock.now += 1000;
    await w.attest(alice);

    expect((await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader' })).status).toBe(200);
    expect((await w.call(alice, 'POST', `/api/v1/grants/${grantId}/drop`)).status).toBe(200);
    const ended = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader', grantId });
    expect(ended.status).toBe(403);
    expect(ended.body).toMatchObject({ error: 'grant_ended' });
    expect(
      (await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader' })).body['error_description'],
    ).toMatch(/no active grant covers/);

    const refused = await refusals();
    expect(refused).toHaveLength(1 + more.length + 3);
    for (const r of refused)
      expect(r.data).toMatchObject({ kind: 'aws-web-identity', reason: expect.any(String) });
    expect(
      (await w.auditNames()).filter((a) => a.activity === 'credential.issue' && a.statusId === 1),
    ).toHaveLength(1);
  });

  it('ending the grant revokes the web-identity tokens issued under it in the ledger', async () => {
    const grantId = await activeGrant();
    const r = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader' });
    const jti = JSON.parse(
      Buffer.from((r.body['token'] as string).split('.')[1] ?? '', 'base64url').toString(),
    ).jti as string;
    expect((await w.call(alice, 'POST', `/api/v1/grants/${grantId}/drop`)).status).toBe(200);
    expect(await w.broker.store.getIssuedCredential(jti)).toMatchObject({ revokedAt: expect.any(Number) });
  });

  it('refuses a body with unknown fields before anything else', async () => {
    const r = await w.call(alice, 'POST', PATH, { role: 'restricted-data-reader', durationSeconds: 43200 });
    expect(r.status).toBe(400);
    expect(r.body['error_description']).toMatch(/unknown field/);
  });
});
