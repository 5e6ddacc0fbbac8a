import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { lockInTx } from '../locks/lockPrincipal.js';
import { storedActiveGrant } from '../credentials/issuanceFixtures.test-support.js';
import { SSH_CLOCK_SKEW_SECONDS } from './issueSshCertificate.js';

// The route through the real broker (createBrokerServer, SQLite, default bundle, DPoP), certificates
// and KRLs read back by the real ssh-keygen.
const MIN = 60_000;
let dir: string;
let w: JitWorld;
let alice: Person;

function keygen(type = 'ed25519', bits?: number): string {
  const file = join(dir, `k-${randomUUID()}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

function writeTemp(content: string | Buffer): string {
  const file = join(dir, `f-${randomUUID()}`);
  writeFileSync(file, content);
  return file;
}

/** A grant stored as approved and active since `at` (approval is tested in jitRoutes.test.ts). */
const grantFor = (p: Person, target: { type: string; id: string }, minutes: number, at?: number) =>
  storedActiveGrant(w, p, target, minutes, at === undefined ? {} : { at });

const researcher = { type: 'Role', id: 'ml-researcher' };
const issue = (p: Person, body: Record<string, unknown>) =>
  w.call(p, 'POST', '/api/v1/credentials/ssh', body);

async function krl(): Promise<Buffer> {
  // No Authorization, no DPoP: hosts fetch it as they are.
  const res = await w.broker.app.inject({ method: 'GET', url: '/api/v1/ssh/krl' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/octet-stream');
  return res.rawPayload;
}

const revokedIn = (list: Buffer, certificate: string): boolean => {
  const run = spawnSync('ssh-keygen', ['-Q', '-f', writeTemp(list), writeTemp(`${certificate}\n`)], {
    encoding: 'utf8',
  });
  if (run.status !== 0 && run.status !== 1) throw new Error(`ssh-keygen -Q failed: ${run.stderr}`);
  return run.status === 1;
};

async function issueRefusals() {
  return (await w.auditNames()).filter((r) => r.activity === 'credential.issue' && r.statusId === 2);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sr-sshroute-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  w = await jitWorld();
  alice = await w.person('alice', ['ml-engineers']);
});
afterEach(async () => w.close());

describe('POST /api/v1/credentials/ssh', () => {
  it('certifies the key for the grant: principals, validity, key id, serial, permit-pty; ledger and audit', async () => {
    const grantId = await grantFor(alice, researcher, 30);
    const res = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const now = Math.floor(w.broker.clock.now / 1000);
    const body = res.body as Record<string, unknown> & { certificate: string; serial: string };
    expect(body).toMatchObject({
      principals: ['ml'],
      validAfter: now - SSH_CLOCK_SKEW_SECONDS,
      validBefore: now + 30 * 60,
      keyId: `strongroom:user=alice@example.test:device=${alice.deviceId}:grant=${grantId}`,
      grantId,
    });
    const shown = execFileSync('ssh-keygen', ['-L', '-f', writeTemp(`${body.certificate}\n`)], {
      encoding: 'utf8',
    });
    expect(shown).toContain(`Serial: ${body.serial}`);
    expect(shown).toMatch(
      /Principals: \n\s+ml\n\s+Critical Options: \(none\)\n\s+Extensions: \n\s+permit-pty\n/,
    );

    expect(await w.broker.store.getIssuedCredential(`ssh:${body.serial}`)).toMatchObject({
      kind: 'ssh-certificate',
      userId: alice.user.id,
      deviceId: alice.deviceId,
      grantId,
      audience: 'gpu-a100',
      serial: body.serial,
      expiresAt: (now + 30 * 60) * 1000,
      revokedAt: null,
    });
    const issued = (await w.auditNames()).filter(
      (r) => r.activity === 'credential.issue' && r.statusId === 1,
    );
    expect(issued).toHaveLength(1);
    expect(issued[0]?.data).toMatchObject({
      kind: 'ssh-certificate',
      serial: body.serial,
      grantId,
      principals: ['ml'],
    });
  });

  it('caps the lifetime at the ttl, the grant end and one hour; serials differ', async () => {
    await grantFor(alice, researcher, 180);
    const now = Math.floor(w.broker.clock.now / 1000);
    const long = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100' });
    expect(long.body['validBefore']).toBe(now + 3600);
    const short = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100', ttlSeconds: 90 });
    expect(short.body['validBefore']).toBe(now + 90);
    expect(short.body['serial']).not.toBe(long.body['serial']);
    const ending = await grantFor(alice, researcher, 2);
    const capped = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100', grantId: ending });
    expect(capped.body['validBefore']).toBe(now + 120);
  });

  it('accepts ecdsa and rsa-3072 keys', async () => {
    await grantFor(alice, researcher, 30);
    for (const [type, bits] of [
      ['ecdsa', 384],
      ['rsa', 3072],
    ] as const) {
      const res = await issue(alice, { publicKey: keygen(type, bits), hostGroup: 'gpu-a100' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });

  it('refuses bad keys, uncovered host groups, ended and foreign grants: with a reason, audited, nothing issued', async () => {
    const bob = await w.person('bob', ['ml-engineers']);
    const bobsGrant = await grantFor(bob, researcher, 30);
    const ended = await grantFor(alice, researcher, 1, w.broker.clock.now - 5 * MIN);
    await grantFor(alice, researcher, 30);
    const ok = keygen();
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ publicKey: 'not a key', hostGroup: 'gpu-a100' }, 400, /not one OpenSSH public key line/],
      [{ publicKey: keygen('rsa', 2048), hostGroup: 'gpu-a100' }, 400, /at least 3072 bits/],
      [
        { publicKey: keygen('ecdsa', 521), hostGroup: 'gpu-a100' },
        400,
        /ecdsa-sha2-nistp521 is not accepted/,
      ],
      [
        { publicKey: `ssh-ed25519 ${ok.split(' ')[1]?.slice(0, 40) ?? ''}`, hostGroup: 'gpu-a100' },
        400,
        /could not be parsed/,
      ],
      // A principal the grant does not cover: gpu-prod needs the break-glass role.
      [{ publicKey: ok, hostGroup: 'gpu-prod' }, 403, /no active grant covers HostGroup "gpu-prod"/],
      [{ publicKey: ok, hostGroup: 'no-such-hosts' }, 403, /no asset HostGroup "no-such-hosts"/],
      [{ publicKey: ok, hostGroup: 'gpu-a100', grantId: ended }, 403, /is not active/],
      [{ publicKey: ok, hostGroup: 'gpu-a100', grantId: bobsGrant }, 403, /no such grant/],
      [{ publicKey: ok, hostGroup: 'gpu-a100', grantId: randomUUID() }, 403, /no such grant/],
    ];
    for (const [body, status, reason] of cases) {
      const res = await issue(alice, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error_description).toMatch(reason);
    }
    const refusals = await issueRefusals();
    expect(refusals).toHaveLength(cases.length);
    expect(refusals.map((r) => r.data?.['kind'])).toEqual(cases.map(() => 'ssh-certificate'));
    expect(refusals[1]?.data).toMatchObject({ keyType: 'ssh-rsa', reason: 'invalid_request' });
    expect(refusals[4]?.data).toMatchObject({ hostGroup: 'gpu-prod', reason: 'forbidden' });
    expect(await w.broker.store.countIssuedCredentials(alice.user.id, 0)).toBe(0);
  });

  it('refuses a device that fails posture (Cedar ssh denies), audited', async () => {
    await grantFor(alice, researcher, 30);
    await w.attest(alice, { disk_encryption: 'fail' });
    const res = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100' });
    expect(res.status).toBe(403);
    expect(res.body.error_description).toMatch(/disk encryption failed/);
    expect((await issueRefusals())[0]?.data).toMatchObject({ reason: 'policy_denied' });
  });

  it('refuses unknown fields and callers without a token', async () => {
    await grantFor(alice, researcher, 30);
    const extra = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100', principals: ['root'] });
    expect(extra.status).toBe(400);
    expect(extra.body.error_description).toMatch(/unknown field/);
    const anonymous = await w.broker.app.inject({
      method: 'POST',
      url: '/api/v1/credentials/ssh',
      payload: { publicKey: keygen(), hostGroup: 'gpu-a100' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await w.broker.store.countIssuedCredentials(alice.user.id, 0)).toBe(0);
  });
});

describe('GET /api/v1/ssh/krl', () => {
  it('lists certificates whose grant was dropped, not those of grants still running', async () => {
    const dropped = await grantFor(alice, researcher, 30);
    const running = await grantFor(alice, researcher, 30);
    const a = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100', grantId: dropped });
    const b = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100', grantId: running });
    const certA = String(a.body['certificate']);
    const certB = String(b.body['certificate']);
    expect(revokedIn(await krl(), certA)).toBe(false);

    const drop = await w.call(alice, 'POST', `/api/v1/grants/${dropped}/drop`);
    expect(drop.status).toBe(200);
    const list = await krl();
    expect(revokedIn(list, certA)).toBe(true);
    expect(revokedIn(list, certB)).toBe(false);
    const revocations = (await w.auditNames()).filter((r) => r.activity === 'credential.revoke');
    expect(revocations[0]?.data).toMatchObject({
      grantId: dropped,
      credentials: [{ id: `ssh:${String(a.body['serial'])}`, kind: 'ssh-certificate', audience: 'gpu-a100' }],
    });
  });

  it("lists a locked person's certificates (a lock revokes everything issued to them)", async () => {
    await grantFor(alice, researcher, 30);
    const bob = await w.person('bob', ['ml-engineers']);
    await grantFor(bob, researcher, 30);
    const mine = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100' });
    const bobs = await issue(bob, { publicKey: keygen(), hostGroup: 'gpu-a100' });
    await w.broker.store.transaction((tx) =>
      lockInTx(tx, { kind: 'user', userId: alice.user.id, reason: 'test lock' }, w.broker.clock.now),
    );
    const list = await krl();
    expect(revokedIn(list, String(mine.body['certificate']))).toBe(true);
    expect(revokedIn(list, String(bobs.body['certificate']))).toBe(false);
  });

  it('drops revoked certificates once they have expired anyway', async () => {
    const grantId = await grantFor(alice, researcher, 30);
    const cert = await issue(alice, { publicKey: keygen(), hostGroup: 'gpu-a100', ttlSeconds: 60 });
    await w.call(alice, 'POST', `/api/v1/grants/${grantId}/drop`);
    expect(revokedIn(await krl(), String(cert.body['certificate']))).toBe(true);
    w.broker.clock.now += 2 * MIN;
    expect(revokedIn(await krl(), String(cert.body['certificate']))).toBe(false);
  });
});
