import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listeningPorts } from './harness/listeningPorts.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A script, run in its own Node process on the built modules: a real agent (not signed in; the
 * endpoint's lifecycle needs no session) with the AWS helper, and `steps` run against it. Its own
 * process so that its listening sockets are its own, and so a test can cap its file descriptors.
 */
const script = (steps: string): string => `
import { openSync, closeSync } from 'node:fs';
import { listeningPorts } from '${root}test/dist/harness/listeningPorts.js';
import { systemClock } from '${root}shared/dist/agent/AgentClock.js';
import { createSessionAgent } from '${root}shared/dist/agent/createSessionAgent.js';
import { serveAwsFromAgent } from '${root}shared/dist/credentials/aws/serveAwsFromAgent.js';
import { createSessionController } from '${root}shared/dist/session/createSessionController.js';
import { createMemoryCredentialStore } from '${root}shared/dist/vault/createMemoryCredentialStore.js';
import { preloadLazyModules } from '${root}shared/dist/agent/preloadLazyModules.js';

const listening = () => [...listeningPorts()];
const log = [];
const host = { platform: 'linux', openBrowser: async () => undefined, now: Date.now, log: () => undefined, notify: () => undefined };
const profile = { name: 'aws-lifecycle', broker: 'http://127.0.0.1:9', clientId: 'strongroom-cli', acr: 'urn:strongroom:acr:hwk' };
const vault = createMemoryCredentialStore();
const session = createSessionController({ host, store: vault, profile });
const agent = createSessionAgent({
  profile, session, vault, clock: systemClock, notifier: { show: () => undefined },
  posture: { run: () => new Promise(() => undefined), platformFacts: () => new Promise(() => undefined) },
  platform: 'linux', version: 'test', log: () => undefined,
});
const aws = await serveAwsFromAgent(agent, { profile, vault, broker: session.api, now: Date.now, log: (m) => log.push(m) });
const out = {};
const attempt = async (what) => { try { return { origin: await what() }; } catch (e) { return { error: e.code ?? e.message }; } };
${steps}
process.stdout.write(JSON.stringify(out));
process.exit(0);
`;

describe("the AWS helper's loopback endpoint: listens from first use, never after close", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const run = (steps: string, shellPrefix = ''): Record<string, unknown> => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-aws-lifecycle-'));
    dirs.push(dir);
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script(steps));
    const result = spawnSync('bash', ['-c', `${shellPrefix} exec "$0" "$1"`, process.execPath, file], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  it('nothing listens until the endpoint is asked for; then one port, closed with the helper; after close it is refused', () => {
    const out = run(`
out.beforeFirstUse = listening();
const first = await attempt(() => aws.origin());
out.first = first;
out.second = await attempt(() => aws.origin());
out.whileOpen = listening();
await aws.close();
out.afterClose = listening();
out.again = await attempt(() => aws.origin());
`);
    expect(out['beforeFirstUse']).toEqual([]);
    const origin = (out['first'] as { origin: string }).origin;
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out['second']).toEqual({ origin });
    expect(out['whileOpen']).toEqual([Number(new URL(origin).port)]);
    expect(out['afterClose']).toEqual([]);
    expect(out['again']).toEqual({ error: 'not_supported' });
    // The test's own process is not the one that listened.
    expect(listeningPorts().has(Number(new URL(origin).port))).toBe(false);
  });

  it('closed while it starts: the start finishes and is closed, nothing is left listening', () => {
    const out = run(`
const starting = attempt(() => aws.origin());
await aws.close();
out.start = await starting;
out.afterClose = listening();
out.again = await attempt(() => aws.origin());
`);
    expect(out['afterClose']).toEqual([]);
    expect(out['again']).toEqual({ error: 'not_supported' });
  });

  it('a start that fails (no file descriptors left) is that call’s error; the next call starts it', () => {
    // The process may open 256 files; the script uses them up before the first start.
    const out = run(
      `
// As every host does a moment after its agent starts (Node's ESM loader would remember a failed import).
await preloadLazyModules();
const held = [];
for (;;) { try { held.push(openSync('/dev/null', 'r')); } catch { break; } }
out.held = held.length;
out.failed = await attempt(() => aws.origin());
for (const fd of held.splice(0, 4)) closeSync(fd); // enough to read /proc, not to start a server
out.whileFailed = listening();
for (const fd of held.splice(0)) closeSync(fd);
out.retried = await attempt(() => aws.origin());
out.afterRetry = listening();
out.logged = log.some((m) => m.includes('failed to start'));
await aws.close();
`,
      'ulimit -n 256 &&',
    );
    expect(out['held']).toBeGreaterThan(0);
    expect(out['failed']).toHaveProperty('error');
    expect(out['retried'], JSON.stringify(out)).toHaveProperty('origin');
    expect(out['whileFailed']).toEqual([]);
    const origin = (out['retried'] as { origin?: string }).origin ?? '';
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out['afterRetry']).toEqual([Number(new URL(origin).port)]);
    expect(out['logged']).toBe(true);
  });
});
