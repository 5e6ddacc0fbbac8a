import { execFileSync, spawnSync } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPostgresStore } from '../store/postgresTestHarness.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { loadSshCa, type SshCa } from './loadSshCa.js';
import { parseSshPublicKey } from './parseSshPublicKey.js';
import { signSshUserCertificate } from './signSshUserCertificate.js';
import { writeKrl } from './writeKrl.js';

// The formats are checked by OpenSSH itself: ssh-keygen -L reads certificates, -Q reads KRLs.
let dir: string;
let temp: TempSqliteStore;
let ca: SshCa;

function keygen(name: string, type: string, bits?: number): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(bits ? ['-b', String(bits)] : []),
    '-N',
    '',
    '-C',
    name,
    '-f',
    file,
  ]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

function certify(
  publicKey: string,
  serial: bigint,
  extra: { principals?: string[]; validBefore?: number } = {},
): string {
  const parsed = parseSshPublicKey(publicKey);
  if (!parsed.ok) throw new Error(parsed.reason);
  const now = Math.floor(Date.now() / 1000);
  return signSshUserCertificate(ca, {
    subjectKey: parsed.key,
    principals: extra.principals ?? ['gpu', 'ml'],
    keyId: 'strongroom:user=alice@example.test:device=d1:grant=g1',
    serial,
    validAfter: now - 60,
    validBefore: extra.validBefore ?? now + 600,
    extensions: ['permit-pty'],
  });
}

/** `ssh-keygen -Q -f krl cert`: 0 when not revoked, 1 when revoked; output names the verdict. */
function queryKrl(krl: Buffer, certLine: string): { code: number | null; out: string } {
  const krlFile = join(dir, `krl-${Math.random().toString(36).slice(2)}`);
  const certFile = join(dir, `cert-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(krlFile, krl);
  writeFileSync(certFile, `${certLine}\n`);
  const run = spawnSync('ssh-keygen', ['-Q', '-f', krlFile, certFile], { encoding: 'utf8' });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sr-sshfmt-'));
  temp = await openTempSqliteStore();
  ca = await loadSshCa(temp.store);
});
afterAll(async () => {
  await temp.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('SSH CA key', () => {
  it('is made once and shared by every instance on the store', async () => {
    const other = await loadSshCa(await temp.openAnother());
    expect(other.publicKeyLine).toBe(ca.publicKeyLine);
    expect(ca.publicKeyLine).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+ strongroom-user-ca$/);
    const fresh = await openTempSqliteStore();
    try {
      expect((await loadSshCa(fresh.store)).publicKeyLine).not.toBe(ca.publicKeyLine);
    } finally {
      await fresh.dispose();
    }
  });
});

describe('SSH CA key on PostgreSQL', () => {
  it('two broker instances starting at once on one schema end up with one CA', async () => {
    const pg = await openTestPostgresStore();
    try {
      const other = await pg.openAnother();
      const [a, b] = await Promise.all([loadSshCa(pg.store), loadSshCa(other)]);
      expect(a.publicKeyLine).toBe(b.publicKeyLine);
      // And it signs: a certificate from one verifies against the other's line.
      const signed = a.sign(Buffer.from('x'));
      expect(verify(null, Buffer.from('x'), b.publicKey.toString('pkcs8'), signed)).toBe(true);
    } finally {
      await pg.dispose();
    }
  });
});

describe('user certificates', () => {
  it('are read by ssh-keygen -L: principals, validity, key id, serial, permit-pty and nothing more', () => {
    const line = certify(keygen('ed', 'ed25519'), 0xfedcba9876543210n);
    const file = join(dir, 'ed-cert.pub');
    writeFileSync(file, `${line}\n`);
    const shown = execFileSync('ssh-keygen', ['-L', '-f', file], { encoding: 'utf8' });
    expect(shown).toContain('Type: ssh-ed25519-cert-v01@openssh.com user certificate');
    expect(shown).toContain(`Serial: ${0xfedcba9876543210n}`);
    expect(shown).toContain('Key ID: "strongroom:user=alice@example.test:device=d1:grant=g1"');
    expect(shown).toMatch(/Principals: \n\s+gpu\n\s+ml\n/);
    expect(shown).toMatch(/Critical Options: \(none\)/);
    expect(shown).toMatch(/Extensions: \n\s+permit-pty\n\s*$/);
    const caFingerprint = execFileSync('ssh-keygen', ['-l', '-f', '-'], {
      input: ca.publicKeyLine,
      encoding: 'utf8',
    });
    expect(shown).toContain(`Signing CA: ED25519 ${caFingerprint.split(' ')[1] ?? '?'}`);
  });

  it('certify ECDSA P-256/P-384 and RSA 3072 keys too', () => {
    for (const [name, type, bits] of [
      ['p256', 'ecdsa', 256],
      ['p384', 'ecdsa', 384],
      ['rsa3072', 'rsa', 3072],
    ] as const) {
      const line = certify(keygen(name, type, bits), 7n);
      const file = join(dir, `${name}-cert.pub`);
      writeFileSync(file, `${line}\n`);
      expect(execFileSync('ssh-keygen', ['-L', '-f', file], { encoding: 'utf8' })).toContain(
        'user certificate',
      );
    }
  });

  it('refuses serial 0 (a KRL cannot revoke it)', () => {
    expect(() => certify(keygen('zero', 'ed25519'), 0n)).toThrow(/serial/);
  });
});

describe('public keys a client may send', () => {
  it('accepts ed25519, ecdsa p256/p384 and rsa >= 3072', () => {
    expect(parseSshPublicKey(keygen('ok-ed', 'ed25519'))).toMatchObject({ ok: true, type: 'ssh-ed25519' });
    expect(parseSshPublicKey(keygen('ok-p256', 'ecdsa', 256))).toMatchObject({ ok: true });
  });

  it('refuses weak, unsupported and malformed keys with a reason', () => {
    expect(parseSshPublicKey(keygen('rsa2048', 'rsa', 2048))).toMatchObject({
      ok: false,
      problem: 'too_weak',
      reason: expect.stringMatching(/at least 3072 bits; this one has 2048/),
    });
    expect(parseSshPublicKey(keygen('p521', 'ecdsa', 521))).toMatchObject({
      ok: false,
      problem: 'unsupported_type',
    });
    expect(parseSshPublicKey('ssh-dss AAAAB3NzaC1kc3MAAACBAP8=')).toMatchObject({
      ok: false,
      problem: 'unsupported_type',
    });
    const cert = certify(keygen('c', 'ed25519'), 9n);
    expect(parseSshPublicKey(cert)).toMatchObject({ ok: false, problem: 'unsupported_type' });
    for (const bad of [
      '',
      'hello',
      'ssh-ed25519',
      'ssh-ed25519 !!!notbase64',
      'ssh-ed25519 AAAA',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\nssh-rsa AAAA',
    ]) {
      expect(parseSshPublicKey(bad)).toMatchObject({ ok: false, problem: 'malformed' });
    }
    // A line that names one type but carries another key's blob.
    const rsaBlob = keygen('rsa-mix', 'rsa', 3072).split(' ')[1] ?? '';
    expect(parseSshPublicKey(`ssh-ed25519 ${rsaBlob}`)).toMatchObject({ ok: false, problem: 'malformed' });
  });
});

describe('KRL', () => {
  const now = Math.floor(Date.now() / 1000);

  it('is read by ssh-keygen -Q: listed serials of our CA are revoked, others are not', () => {
    const revoked = certify(keygen('k1', 'ed25519'), 0xffffffffffffffffn);
    const alsoRevoked = certify(keygen('k2', 'ed25519'), 42n);
    const kept = certify(keygen('k3', 'ed25519'), 43n);
    const krl = writeKrl({
      caKeyBlob: ca.publicKey.toBuffer('rfc4253'),
      serials: [42n, 0xffffffffffffffffn, 42n, 5n],
      version: 3n,
      generatedAt: now,
      comment: 'strongroom test',
    });
    expect(queryKrl(krl, revoked)).toMatchObject({ code: 1, out: expect.stringContaining('REVOKED') });
    expect(queryKrl(krl, alsoRevoked)).toMatchObject({ code: 1, out: expect.stringContaining('REVOKED') });
    expect(queryKrl(krl, kept)).toMatchObject({ code: 0, out: expect.stringContaining('ok') });
  });

  it('names the CA: the same serial from another CA is not revoked', async () => {
    const other = await openTempSqliteStore();
    try {
      const otherCa = await loadSshCa(other.store);
      const krl = writeKrl({
        caKeyBlob: otherCa.publicKey.toBuffer('rfc4253'),
        serials: [77n],
        version: 1n,
        generatedAt: now,
      });
      expect(queryKrl(krl, certify(keygen('k4', 'ed25519'), 77n)).code).toBe(0);
    } finally {
      await other.dispose();
    }
  });

  it('with nothing revoked is a valid, empty KRL', () => {
    const krl = writeKrl({
      caKeyBlob: ca.publicKey.toBuffer('rfc4253'),
      serials: [],
      version: 0n,
      generatedAt: now,
    });
    expect(queryKrl(krl, certify(keygen('k5', 'ed25519'), 1n))).toMatchObject({ code: 0 });
  });

  it('refuses serial 0 and values past 2^64-1', () => {
    const caKeyBlob = ca.publicKey.toBuffer('rfc4253');
    expect(() => writeKrl({ caKeyBlob, serials: [0n], version: 1n, generatedAt: now })).toThrow(RangeError);
    expect(() => writeKrl({ caKeyBlob, serials: [1n << 64n], version: 1n, generatedAt: now })).toThrow(
      RangeError,
    );
  });
});
