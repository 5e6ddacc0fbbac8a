import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodePostureHost } from '../posture/nodeHost.js';
import type { HostContext } from '../session/HostContext.js';
import { storeSession } from '../session/storeSession.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { createAgentAccess } from './createAgentAccess.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// The extension host draws the in-process agent's first state as soon as createAgentAccess
// resolves: the posture checks' processes and the first broker call (which loads Node's fetch) must
// not run on the thread before that, or they delay it (issue 7: activation to ready).
describe('createAgentAccess in process: the first state before the slow work', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const undo of cleanup.splice(0)) undo();
  });

  it("resolves with the vault's session, then runs the posture checks and reaches the broker", async () => {
    let brokerCalls = 0;
    const server: Server = createServer((_req, res) => {
      brokerCalls += 1;
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => server.close());
    const broker = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-access-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

    const vault = createMemoryCredentialStore();
    const now = Date.now();
    await storeSession(
      vault,
      'first-state',
      { accessToken: 'access-token', refreshToken: 'refresh-token' },
      {
        issuer: broker,
        subject: 'alice',
        email: 'alice@example.test',
        name: undefined,
        amr: ['hwk'],
        acr: 'urn:strongroom:acr:hwk',
        authTime: now,
        accessTokenIssuedAt: now,
        accessTokenExpiresAt: now + 3_600_000,
        sessionExpiresAt: now + 3_600_000,
        sessionEndSource: 'id_token',
        deviceKeyThumbprint: 'thumbprint',
        deviceKeyProtection: 'software',
      },
    );
    let postureRuns = 0;
    const logs: string[] = [];
    const host: HostContext = {
      platform: process.platform,
      openBrowser: () => Promise.reject(new Error('no browser in this test')),
      now: Date.now,
      log: (_level, message) => logs.push(message),
      notify: (message) => logs.push(message),
    };

    const access = await createAgentAccess({
      host,
      vault,
      profile: { name: 'first-state', broker, clientId: 'strongroom-cli', acr: 'urn:strongroom:acr:hwk' },
      postureHost: () => {
        postureRuns += 1;
        return createNodePostureHost();
      },
      version: 'test',
      mode: 'inProcess',
      env: {},
      uid: process.getuid?.(),
      tmpdir: dir,
      terminal: {},
    });
    try {
      // What the host draws now: the vault's session, before any check ran or the broker was asked.
      expect(access.via).toBe('inProcess');
      expect(access.state.get().session).toMatchObject({ status: 'signedIn' });
      expect(postureRuns).toBe(0);
      expect(brokerCalls).toBe(0);

      // Right after (from the next turn of the event loop, once the checks' code has loaded) the
      // held work starts; the refresh waits for all of it.
      await turn();
      const until = Date.now() + 10_000;
      while (postureRuns === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(postureRuns).toBeGreaterThan(0);
      await access.refresh();
      expect(brokerCalls).toBeGreaterThan(0);
      expect(access.state.get().posture.status).not.toBe('unknown');
    } finally {
      await access.dispose();
    }
  });
});
