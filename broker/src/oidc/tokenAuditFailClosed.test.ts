import { join } from 'node:path';
import Database from 'better-sqlite3';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessBroker, type InProcessBroker } from '../http/inProcessBroker.test-support.js';
import { SQLITE_FILE_NAME } from '../store/SqliteStore.js';
import { mintRefreshToken } from './mintRefreshToken.test-support.js';
import { refreshWithDpop } from './refreshWithDpop.test-support.js';

// Fail closed: when the audit record of a refresh cannot be written, nothing of the refresh
// commits (the old refresh token is not consumed, no new token exists) and the client gets
// server_error. The audit table is broken for real, with a SQLite trigger, not with a fake.
describe('token endpoint audit fails closed', () => {
  let broker: InProcessBroker;
  let dataFile: string;
  beforeAll(async () => {
    broker = await inProcessBroker();
    dataFile = join(broker.dataDir, SQLITE_FILE_NAME);
    await broker.store.createUser({
      id: 'u1',
      email: 'u1@example.com',
      displayName: 'U1',
      createdAt: Date.now(),
    });
  });
  afterAll(async () => broker?.close());

  const refresh = (refreshToken: string, key: Awaited<ReturnType<typeof generateKeyPair>>) =>
    refreshWithDpop(broker, refreshToken, key);

  it('rolls the refresh back when the audit record cannot be written', async () => {
    const key = await generateKeyPair('ES256');
    const jkt = await calculateJwkThumbprint(await exportJWK(key.publicKey));
    const refreshToken = await mintRefreshToken(broker.provider, {
      accountId: 'u1',
      jkt,
      nowSeconds: Math.floor(Date.now() / 1000),
    });

    const saboteur = new Database(dataFile);
    saboteur.exec(
      `CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit down'); END`,
    );
    const headBefore = await broker.store.auditHead();
    try {
      const failed = await refresh(refreshToken, key);
      expect(failed.status).toBe(500);
      expect(failed.body).toEqual({ error: 'server_error', error_description: expect.any(String) });
      expect(JSON.stringify(failed.body)).not.toMatch(/access_token|refresh_token/);
    } finally {
      saboteur.exec('DROP TRIGGER audit_down');
      saboteur.close();
    }
    expect(await broker.store.auditHead()).toEqual(headBefore);

    // The refresh token was not consumed: the same token refreshes once the log is back, and the
    // success is recorded.
    const ok = await refresh(refreshToken, key);
    expect(ok.status).toBe(200);
    const [record] = await broker.store.readAudit(headBefore.seq + 1, 10);
    expect(record).toMatchObject({ activity: 'token.refresh', statusId: 1 });
  });
});
