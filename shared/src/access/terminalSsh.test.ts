import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentGrant } from '../agent/AgentState.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import { makeGrant } from './accessFixtures.test-support.js';
import { elevatedTerminal } from './elevatedTerminal.js';
import { sshBrokerStandIn, type SshBrokerStandIn } from './sshBrokerStandIn.test-support.js';
import { sshHostGroupsOf, terminalSsh, type TerminalSshOptions } from './terminalSsh.js';
import { processEnded, startTerminalSshAgent } from './terminalSshAgent.js';

// The real OpenSSH ssh-agent and ssh-add; the broker's certificates from ssh-keygen as the CA
// (sshBrokerStandIn: the broker's key id, principals and wire shape).

const GRANT_ID = '0b6f6d0e-6c1a-4b57-9d3f-3f2a6f1d9e11';
let work: string;
let broker: SshBrokerStandIn;

const grant = (overrides: Partial<AgentGrant> = {}): AgentGrant =>
  makeGrant({
    id: GRANT_ID,
    target: { type: 'Role', id: 'ml-researcher' },
    tier: 'internal',
    activateBy: 0,
    expiresAt: Date.now() + 30 * 60_000,
    ...overrides,
  });

function options(overrides: Partial<TerminalSshOptions> = {}): TerminalSshOptions {
  return {
    dir: join(work, 'terminals'),
    hostGroups: (g) => (g.target.type === 'HostGroup' ? [g.target.id] : ['gpu-a100']),
    issue: (request) => broker.issue(request),
    now: Date.now,
    uid: process.getuid?.(),
    ...overrides,
  };
}

const sshAdd = (socket: string, flag: '-L' | '-l') =>
  spawnSync('ssh-add', [flag], { env: { SSH_AUTH_SOCK: socket }, encoding: 'utf8' });

/** Whether the process is gone (or a zombie waiting for a reaper, which holds nothing). */
const gone = processEnded;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sr-term-ssh-'));
});
beforeEach(() => {
  broker = sshBrokerStandIn();
});
afterEach(() => broker.close());
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('startTerminalSshAgent (real ssh-agent)', () => {
  it('listens on a socket in a fresh 0700 folder under a 0700 parent; dispose kills it and removes the folder', async () => {
    const agent = await startTerminalSshAgent(join(work, 'agents'), { uid: process.getuid?.() });
    expect(statSync(join(work, 'agents')).mode & 0o777).toBe(0o700);
    expect(statSync(dirname(agent.socketPath)).mode & 0o777).toBe(0o700);
    expect(sshAdd(agent.socketPath, '-l').stdout).toMatch(/no identities/);
    await agent.dispose();
    await agent.dispose();
    expect(existsSync(dirname(agent.socketPath))).toBe(false);
    expect(sshAdd(agent.socketPath, '-l').status).toBe(2); // cannot connect
    expect(gone(agent.pid)).toBe(true);
  });

  it('a host that ends without disposing (crash, kill -9) takes its agent with it within ssh-agent 10 s check', async () => {
    // The built module in a separate Node process, which exits right after starting the agent.
    const built = new URL('../../dist/access/terminalSshAgent.js', import.meta.url).href;
    const host = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { startTerminalSshAgent } = await import(${JSON.stringify(built)});
         const a = await startTerminalSshAgent(${JSON.stringify(join(work, 'crash'))});
         console.log(JSON.stringify({ socketPath: a.socketPath, pid: a.pid }));`,
      ],
      { encoding: 'utf8' },
    );
    expect(host.status, host.stderr).toBe(0); // nothing held the host open
    const { socketPath, pid } = JSON.parse(host.stdout) as { socketPath: string; pid: number };
    // ssh-agent notices at its next wake-up (a connection, or its 10 s check): poll until then.
    while (existsSync(socketPath) || !gone(pid)) await new Promise((r) => setTimeout(r, 250));
    expect(sshAdd(socketPath, '-l').status).toBe(2);
  });

  it('refuses a parent folder others can enter', async () => {
    const open = join(work, 'open');
    execFileSync('mkdir', ['-m', '0755', open]);
    // mkdir/chmod make it 0700 again when it is ours; someone else's would be refused.
    await (await startTerminalSshAgent(open, { uid: process.getuid?.() })).dispose();
    expect(statSync(open).mode & 0o777).toBe(0o700);
    await expect(startTerminalSshAgent(open, { uid: 12345 })).rejects.toThrow(/not private: owned by uid/);
  });

  it('a missing ssh-agent binary is a clear not_supported error, and no folder is left', async () => {
    const parent = join(work, 'missing');
    await expect(
      startTerminalSshAgent(parent, { sshAgent: join(work, 'no-such-ssh-agent') }),
    ).rejects.toThrow(/ssh-agent is not installed/);
    expect(spawnSync('ls', ['-A', parent], { encoding: 'utf8' }).stdout).toBe('');
  });
});

describe('sshHostGroupsOf (which host groups an elevated terminal gets certificates for)', () => {
  it("the broker's covers decide: its HostGroups only, even for a HostGroup grant", () => {
    const covers = [
      { type: 'BucketPrefix', id: 's3://corp-ml/checkpoints/' },
      { type: 'HostGroup', id: 'gpu-a100' },
      { type: 'HostGroup', id: 'gpu-h100' },
      { type: 'Service', id: 'gpu-prod' },
    ];
    expect(sshHostGroupsOf(grant({ covers }))).toEqual(['gpu-a100', 'gpu-h100']);
    expect(sshHostGroupsOf(grant({ covers: [] }))).toEqual([]);
    // The broker is the authority: a HostGroup the catalog no longer has covers nothing.
    expect(sshHostGroupsOf(grant({ target: { type: 'HostGroup', id: 'gpu-old' }, covers: [] }))).toEqual([]);
  });

  it('from an older broker (no covers): a HostGroup grant covers itself, a Role nothing', () => {
    expect(sshHostGroupsOf(grant({ target: { type: 'HostGroup', id: 'gpu-prod' } }))).toEqual(['gpu-prod']);
    expect(sshHostGroupsOf(grant())).toEqual([]);
    expect(sshHostGroupsOf(grant({ target: { type: 'Dataset', id: 'gpu-a100' } }))).toEqual([]);
  });
});

describe('terminalSsh: the grant certificate in the terminal own ssh-agent', () => {
  it("by default asks for the host groups of the grant's covers, and for nothing else", async () => {
    const { ssh } = await terminalSsh(
      grant({
        covers: [
          { type: 'HostGroup', id: 'gpu-a100' },
          { type: 'Service', id: 'model-registry' },
        ],
      }),
      options({ hostGroups: undefined }),
      () => undefined,
    );
    if (ssh === undefined) throw new Error('no ssh');
    expect(broker.issued.map((r) => r.hostGroup)).toEqual(['gpu-a100']);
    expect(ssh.certificates.map((c) => c.hostGroup)).toEqual(['gpu-a100']);
    await ssh.dispose();
  });

  it('loads one certificate per host group, with the grant principals, key in memory only; dispose kills the agent', async () => {
    const { ssh, notes } = await terminalSsh(
      grant(),
      options({ hostGroups: () => ['gpu-a100', 'gpu-prod', 'gpu-a100'] }),
      () => undefined,
    );
    if (ssh === undefined) throw new Error('no ssh');
    expect(broker.issued.map((r) => [r.hostGroup, r.grantId])).toEqual([
      ['gpu-a100', GRANT_ID],
      ['gpu-prod', GRANT_ID],
    ]);
    expect(ssh.certificates.map((c) => [c.hostGroup, c.principals])).toEqual([
      ['gpu-a100', ['ml']],
      ['gpu-prod', ['oncall']],
    ]);
    const listed = sshAdd(ssh.socketPath, '-L').stdout.trim().split('\n');
    expect(listed).toHaveLength(2);
    expect(listed.every((l) => l.startsWith('ssh-ed25519-cert-v01@openssh.com '))).toBe(true);
    expect(listed.every((l) => l.endsWith(`:grant=${GRANT_ID}`))).toBe(true);
    // The certificates' principals, as ssh-keygen reads them back from the agent.
    const certFile = join(work, 'listed-cert.pub');
    writeFileSync(certFile, `${listed[0] ?? ''}\n`);
    expect(execFileSync('ssh-keygen', ['-L', '-f', certFile], { encoding: 'utf8' })).toMatch(
      /Principals:\s*\n\s*ml\n/,
    );
    expect(notes.join('\n')).toMatch(/certificate for gpu-a100 \(principals ml\)/);
    // No private key was written anywhere (only the test CA's own files and the public lines).
    const written = spawnSync('grep', ['-rl', 'PRIVATE KEY', work], { encoding: 'utf8' }).stdout.trim();
    expect(written).toBe('');

    await ssh.dispose();
    expect(existsSync(ssh.socketPath)).toBe(false);
    expect(existsSync(dirname(ssh.socketPath))).toBe(false);
    expect(sshAdd(ssh.socketPath, '-L').status).toBe(2);
  });

  it('a grant covering no host group starts nothing and says SSH_AUTH_SOCK is not ours', async () => {
    const before = spawnSync('ls', ['-A', join(work, 'terminals')], { encoding: 'utf8' }).stdout;
    const { ssh, notes } = await terminalSsh(grant(), options({ hostGroups: () => [] }), () => undefined);
    expect(ssh).toBeUndefined();
    expect(broker.issued).toEqual([]);
    expect(notes.join()).toMatch(/covers no host group .* SSH_AUTH_SOCK is not set by Strongroom/);
    expect(spawnSync('ls', ['-A', join(work, 'terminals')], { encoding: 'utf8' }).stdout).toBe(before);
  });

  it('a refused host group is a note; when none is loaded the agent is killed and its folder removed', async () => {
    const log: string[] = [];
    const { ssh, notes } = await terminalSsh(grant(), options({ hostGroups: () => ['gpu-h100'] }), (m) =>
      log.push(m),
    );
    expect(ssh).toBeUndefined();
    expect(notes.join('\n')).toMatch(/no certificate for gpu-h100 \(no active grant covers/);
    expect(notes.join('\n')).toMatch(/SSH_AUTH_SOCK is not set by Strongroom/);
    expect(spawnSync('ls', ['-A', join(work, 'terminals')], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });

  it('a certificate that ends before the grant is renewed before it ends; dispose cancels renewals', async () => {
    const timers: Array<{ ms: number; fn: () => void; cancelled: boolean }> = [];
    const after = (ms: number, fn: () => void) => {
      const t = { ms, fn, cancelled: false };
      timers.push(t);
      return () => void (t.cancelled = true);
    };
    const long = grant({ expiresAt: Date.now() + 4 * 3600_000 });
    const log: string[] = [];
    const { ssh } = await terminalSsh(long, options({ after }), (m) => log.push(m));
    if (ssh === undefined) throw new Error('no ssh');
    // Issued for 10 minutes: renewed two minutes before that.
    expect(timers).toHaveLength(1);
    expect(timers[0]?.ms).toBeGreaterThan(7 * 60_000);
    expect(timers[0]?.ms).toBeLessThanOrEqual(8 * 60_000);
    timers[0]?.fn();
    while (!log.some((m) => m.startsWith('renewed'))) await new Promise((r) => setTimeout(r, 20));
    expect(broker.issued).toHaveLength(2);
    expect(sshAdd(ssh.socketPath, '-L').stdout.trim().split('\n')).toHaveLength(2);
    await ssh.dispose();
    expect(timers.at(-1)?.cancelled).toBe(true);
  });

  it('a certificate lasting as long as the grant is not renewed', async () => {
    const timers: unknown[] = [];
    const short = grant({ expiresAt: Date.now() + 5 * 60_000 });
    const { ssh } = await terminalSsh(
      short,
      options({ after: (ms, fn) => (timers.push({ ms, fn }), () => undefined) }),
      () => undefined,
    );
    expect(timers).toEqual([]);
    await ssh?.dispose();
  });
});

describe('elevatedTerminal with SSH', () => {
  const invoke = async (method: string): Promise<unknown> => {
    if (method === 'terminal.create')
      return {
        terminalId: 't-base',
        expiresAt: Date.now() + 3600_000,
        env: { STRONGROOM_TERMINAL_TOKEN: 'tok' },
      };
    throw new StrongroomError('denied', 'no AWS role is mapped');
  };

  it('SSH_AUTH_SOCK is the terminal own agent listing the grant certificate; dispose kills it and revokes', async () => {
    const revoked: string[][] = [];
    const t = await elevatedTerminal(
      invoke,
      async (ids) => void revoked.push([...ids]),
      grant({ target: { type: 'HostGroup', id: 'gpu-prod' } }),
      'x',
      { log: () => undefined, ssh: options() },
    );
    const socket = t.env['SSH_AUTH_SOCK'] ?? '';
    expect(socket.startsWith(join(work, 'terminals'))).toBe(true);
    expect(broker.issued.map((r) => r.hostGroup)).toEqual(['gpu-prod']);
    expect(sshAdd(socket, '-L').stdout).toMatch(/^ssh-ed25519-cert-v01@openssh\.com \S+ strongroom:user=/);
    await t.dispose();
    expect(existsSync(socket)).toBe(false);
    expect(sshAdd(socket, '-L').status).toBe(2);
    expect(revoked).toEqual([['t-base']]);
  });

  it('no host group covered: no SSH_AUTH_SOCK of ours, and the log says so', async () => {
    const log: string[] = [];
    const t = await elevatedTerminal(invoke, async () => undefined, grant(), 'x', {
      log: (m) => log.push(m),
      ssh: options({ hostGroups: () => [] }),
    });
    expect(t.env['SSH_AUTH_SOCK']).toBeUndefined();
    expect(log.join('\n')).toMatch(/SSH_AUTH_SOCK not set by Strongroom/);
    await t.dispose();
  });

  it('a kubeconfig failure after the agent started leaves no agent behind', async () => {
    const blocker = join(work, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const before = spawnSync('ls', ['-A', join(work, 'terminals')], { encoding: 'utf8' }).stdout;
    await expect(
      elevatedTerminal(invoke, async () => undefined, grant(), 'x', {
        log: () => undefined,
        ssh: options(),
        kube: { command: 'strongroom', clusters: ['c'], dir: join(blocker, 'kube'), existing: undefined },
      }),
    ).rejects.toThrow();
    expect(broker.issued).toHaveLength(1);
    expect(spawnSync('ls', ['-A', join(work, 'terminals')], { encoding: 'utf8' }).stdout).toBe(before);
  });
});
