import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import { endGrantInTx } from '../jit/endGrantInTx.js';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { loadSigningKeys } from '../keys/loadSigningKeys.js';
import { lockInTx } from '../locks/lockPrincipal.js';
import { loadSshCa } from '../ssh/loadSshCa.js';
import { issueSshCertificate } from '../ssh/issueSshCertificate.js';
import type { Store, StoreOps } from '../store/Store.js';
import { issueAwsWebIdentity } from './aws/issueAwsWebIdentity.js';
import { grantTokenIssuer } from './grantTokenIssuer.js';
import { issuanceCaller, storedActiveGrant } from './issuanceFixtures.test-support.js';

const researcher = { type: 'Role', id: 'ml-researcher' };

/**
 * The race between deciding to issue and recording the issue: a lock (or an early grant end) that
 * commits after authorizeIssuance said yes but before the credential is in the ledger has already
 * revoked "everything issued to them", so the new credential would live on, unrevoked, for up to an
 * hour. The store below runs the lock at exactly that moment (just before the issuing transaction),
 * on the real SQLite store; what must hold: nothing issued, or whatever was issued revoked.
 */
describe('issuance racing a lock or a grant end', () => {
  let w: JitWorld;
  let alice: Person;
  let dir: string;
  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
    dir = mkdtempSync(join(tmpdir(), 'sr-race-'));
  });
  afterEach(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const grantFor = (p: Person, minutes: number) => storedActiveGrant(w, p, researcher, minutes);
  const callerOf = (p: Person) => issuanceCaller(w, p);

  /** The real store, with `meanwhile` committed just before the first transaction the issuer opens. */
  function storeWith(meanwhile: (tx: StoreOps) => Promise<unknown>): Store {
    const real = w.broker.store;
    let done = false;
    return new Proxy(real, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop === 'transaction')
          return async (fn: (tx: StoreOps) => Promise<unknown>) => {
            if (!done) {
              done = true;
              await real.transaction(meanwhile);
            }
            return real.transaction(fn);
          };
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  const lockAlice = (tx: StoreOps) =>
    lockInTx(
      tx,
      { kind: 'user', userId: alice.user.id, reason: 'detector: issuance burst' },
      w.broker.clock.now,
    );

  function publicKey(): string {
    const file = join(dir, `k-${randomUUID()}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    return readFileSync(`${file}.pub`, 'utf8').trim();
  }

  /** What is still live in alice's ledger (revoking it here only to find it: a test probe). */
  const unrevokedOfAlice = async () =>
    w.broker.store.revokeCredentialsOfUser(alice.user.id, w.broker.clock.now, 'probe');

  const outcome = async (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'issued',
      (e: unknown) => (e instanceof BrokerError ? `${e.code} ${String(e.status)}` : `threw ${String(e)}`),
    );

  it('an SSH certificate asked for as the person is locked is refused (audited), never left unrevoked', async () => {
    await grantFor(alice, 30);
    const caller = await callerOf(alice);
    const ca = await loadSshCa(w.broker.store);
    const result = await outcome(
      issueSshCertificate({ jit: { ...w.broker.jit, store: storeWith(lockAlice) }, ca }, caller, {
        publicKey: publicKey(),
        hostGroup: 'gpu-a100',
      }),
    );
    expect(await unrevokedOfAlice()).toEqual([]);
    expect(result).toBe('forbidden 403');
    const refusals = (await w.auditNames()).filter(
      (a) => a.activity === 'credential.issue' && a.statusId === 2,
    );
    expect(refusals.at(-1)?.data).toMatchObject({ kind: 'ssh-certificate', reason: 'forbidden' });
  });

  it('an SSH certificate asked for as the grant is dropped is refused, never left unrevoked', async () => {
    const grantId = await grantFor(alice, 30);
    const caller = await callerOf(alice);
    const ca = await loadSshCa(w.broker.store);
    const drop = async (tx: StoreOps) => {
      const grant = await tx.getGrant(grantId);
      if (grant === undefined) throw new Error('no grant');
      await endGrantInTx(tx, grant, w.broker.clock.now, 'dropped', {
        actor: { kind: 'user', userId: alice.user.id },
        time: w.broker.clock.now,
      });
    };
    const result = await outcome(
      issueSshCertificate({ jit: { ...w.broker.jit, store: storeWith(drop) }, ca }, caller, {
        publicKey: publicKey(),
        hostGroup: 'gpu-a100',
        grantId,
      }),
    );
    expect(await unrevokedOfAlice()).toEqual([]);
    expect(result).toBe('grant_ended 403');
  });

  it('an AWS web-identity token asked for as the person is locked is refused, never left unrevoked', async () => {
    await grantFor(alice, 30);
    const caller = await callerOf(alice);
    const issueToken = grantTokenIssuer(await loadSigningKeys(w.broker.store), w.broker.issuer);
    const result = await outcome(
      issueAwsWebIdentity(
        { jit: { ...w.broker.jit, store: storeWith(lockAlice) }, issueToken, audience: 'sts.amazonaws.com' },
        caller,
        { role: 'ml-researcher' },
      ),
    );
    expect(await unrevokedOfAlice()).toEqual([]);
    expect(result).toBe('forbidden 403');
  });

  it('without a race both still issue (the re-check refuses nothing that is in force)', async () => {
    await grantFor(alice, 30);
    const caller = await callerOf(alice);
    const ca = await loadSshCa(w.broker.store);
    const cert = await issueSshCertificate({ jit: w.broker.jit, ca }, caller, {
      publicKey: publicKey(),
      hostGroup: 'gpu-a100',
    });
    expect(cert.principals.length).toBeGreaterThan(0);
    const issueToken = grantTokenIssuer(await loadSigningKeys(w.broker.store), w.broker.issuer);
    const aws = await issueAwsWebIdentity(
      { jit: w.broker.jit, issueToken, audience: 'sts.amazonaws.com' },
      caller,
      { role: 'ml-researcher' },
    );
    expect(aws.roleArn).toMatch(/corp-ml-checkpoints/);
    expect(await unrevokedOfAlice()).toHaveLength(2);
  });
});
