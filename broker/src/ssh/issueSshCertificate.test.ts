import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { issuanceCaller, storedActiveGrant } from '../credentials/issuanceFixtures.test-support.js';
import { BrokerError } from '../errors/BrokerError.js';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import type { Store, StoreOps } from '../store/Store.js';
import { issueSshCertificate } from './issueSshCertificate.js';
import { loadSshCa, type SshCa } from './loadSshCa.js';

/**
 * The serial re-draw in issueSshCertificate: a certificate's ledger id is `ssh:<serial>` with a
 * random 64-bit serial, and a serial already in the ledger makes the store refuse the record with
 * its `conflict` error. The issuer then draws a new serial and signs again (up to 3 attempts). The
 * collision is made real here: on the real SQLite store, the chosen attempts record their
 * credential under the id of a certificate issued before, so the store's own unique key refuses it
 * and that attempt's transaction (ledger row and audit record) rolls back.
 */
describe('issueSshCertificate: a serial already in the ledger is drawn again', () => {
  let w: JitWorld;
  let alice: Person;
  let caller: ApiCaller;
  let ca: SshCa;
  let dir: string;
  let grantId: string;

  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
    grantId = await storedActiveGrant(w, alice, { type: 'Role', id: 'ml-researcher' }, 30);
    caller = await issuanceCaller(w, alice);
    ca = await loadSshCa(w.broker.store);
    dir = mkdtempSync(join(tmpdir(), 'sr-serial-'));
  });
  afterEach(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function publicKey(): string {
    const file = join(dir, `k-${randomUUID()}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    return readFileSync(`${file}.pub`, 'utf8').trim();
  }
  const ask = () => ({ publicKey: publicKey(), hostGroup: 'gpu-a100', grantId });

  /**
   * The real store, except that the first `collisions` credentials the issuer records go in under
   * `takenId` (a certificate already in the ledger). `asked` lists the ids the issuer tried, in order.
   */
  function collidingStore(takenId: string, collisions: number): { store: Store; asked: string[] } {
    const real = w.broker.store;
    const asked: string[] = [];
    const bind = <T extends object>(target: T, prop: string | symbol, receiver: unknown): unknown => {
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    };
    const store = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return bind(target, prop, receiver);
        return <T>(fn: (tx: StoreOps) => Promise<T>) =>
          real.transaction((tx) =>
            fn(
              new Proxy(tx, {
                get(t, p, r) {
                  if (p !== 'recordIssuedCredential') return bind(t, p, r);
                  return async (record: Parameters<StoreOps['recordIssuedCredential']>[0]) => {
                    asked.push(record.id);
                    const collide = asked.length <= collisions;
                    return t.recordIssuedCredential(collide ? { ...record, id: takenId } : record);
                  };
                },
              }),
            ),
          );
      },
    });
    return { store, asked };
  }

  const issueWith = (store: Store) =>
    issueSshCertificate({ jit: { ...w.broker.jit, store }, ca }, caller, ask());
  const auditOf = async (statusId: 1 | 2) =>
    (await w.auditNames()).filter((r) => r.activity === 'credential.issue' && r.statusId === statusId);

  it('one conflict: a new serial is drawn, signed and recorded; the conflicting attempt leaves nothing', async () => {
    const first = await issueSshCertificate({ jit: w.broker.jit, ca }, caller, ask());
    const takenId = `ssh:${first.serial}`;
    const { store, asked } = collidingStore(takenId, 1);

    const second = await issueWith(store);

    expect(asked).toHaveLength(2);
    expect(asked[0]).not.toBe(asked[1]); // a fresh serial, not the same one again
    expect(asked[1]).toBe(`ssh:${second.serial}`);
    expect(second.serial).not.toBe(first.serial);
    // The certificate handed out carries the serial that was recorded (signed again, not reused).
    const certFile = join(dir, 'second-cert.pub');
    writeFileSync(certFile, `${second.certificate}\n`);
    expect(execFileSync('ssh-keygen', ['-L', '-f', certFile], { encoding: 'utf8' })).toContain(
      `Serial: ${second.serial}`,
    );
    // The ledger: the earlier certificate untouched, the new one recorded, nothing for the first draw.
    expect(await w.broker.store.getIssuedCredential(takenId)).toMatchObject({
      serial: first.serial,
      revokedAt: null,
    });
    expect(await w.broker.store.getIssuedCredential(`ssh:${second.serial}`)).toMatchObject({
      kind: 'ssh-certificate',
      grantId,
      serial: second.serial,
    });
    expect(await w.broker.store.getIssuedCredential(asked[0] ?? '')).toBeUndefined();
    expect(await w.broker.store.countIssuedCredentials(alice.user.id, 0)).toBe(2);
    // One issue record per certificate handed out (the rolled-back attempt's is gone), no refusal.
    expect((await auditOf(1)).map((r) => r.data?.['serial'])).toEqual([first.serial, second.serial]);
    expect(await auditOf(2)).toEqual([]);
  });

  it('always conflicting: three attempts, then a clear conflict error; nothing issued, the refusal audited', async () => {
    const first = await issueSshCertificate({ jit: w.broker.jit, ca }, caller, ask());
    const { store, asked } = collidingStore(`ssh:${first.serial}`, Number.POSITIVE_INFINITY);

    const error = await issueWith(store).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(BrokerError);
    expect(error).toMatchObject({ code: 'conflict', message: 'a record with that key already exists' });
    expect(asked).toHaveLength(3);
    expect(new Set(asked).size).toBe(3); // each attempt drew its own serial
    for (const id of asked) expect(await w.broker.store.getIssuedCredential(id)).toBeUndefined();
    expect(await w.broker.store.countIssuedCredentials(alice.user.id, 0)).toBe(1);
    expect((await auditOf(1)).map((r) => r.data?.['serial'])).toEqual([first.serial]);
    const refusals = await auditOf(2);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.data).toMatchObject({
      kind: 'ssh-certificate',
      hostGroup: 'gpu-a100',
      grantId,
      reason: 'conflict',
      detail: 'a record with that key already exists',
    });
  });
});
