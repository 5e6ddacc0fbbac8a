import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elevatedTerminal } from '@strongroom/shared/access/elevatedTerminal.js';
import {
  sshBrokerStandIn,
  type SshBrokerStandIn,
} from '@strongroom/shared/access/sshBrokerStandIn.test-support.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentGrant } from '@strongroom/shared/agent/AgentState.js';
import type { Activated } from './activateStrongroom.js';
import { startExtension, type Started } from './testing/startExtension.js';

/**
 * SSH in an elevated terminal through the adapter: the shipped activate() and ElevatedTerminals,
 * the real elevatedTerminal with a real ssh-agent per terminal, the broker's certificate endpoint
 * stood in by ssh-keygen as the CA. The agent's terminal token is the FakeAccess edge.
 */
let running: Activated | undefined;
let broker: SshBrokerStandIn;
let dir: string;
beforeEach(() => {
  broker = sshBrokerStandIn();
  dir = mkdtempSync(join(tmpdir(), 'sr-ext-ssh-'));
});
afterEach(() => {
  running?.dispose();
  broker.close();
  rmSync(dir, { recursive: true, force: true });
});

const GRANT_ID = '6d1f1c3e-1c1b-4f43-8d7e-1b1f5b0e2a10';

/** A grant as the agent has it: `covers` as the broker sends it, or absent (an older broker). */
async function withSsh(
  target: { type: string; id: string },
  covers?: AgentGrant['covers'],
): Promise<Started> {
  const started = await startExtension();
  running = started.activated;
  const { access } = started;
  access.openTerminal = (grant, label) =>
    elevatedTerminal(
      async () => ({ terminalId: 'term_0123456789abcdef', expiresAt: grant.expiresAt, env: {} }),
      async (ids) => void access.revoked.push(...ids),
      grant,
      label,
      {
        log: (m) => started.vs.api.window.createOutputChannel('t', { log: true }).info(m),
        ssh: {
          dir: join(dir, 'terminals'),
          issue: (request) => broker.issue(request),
          now: Date.now,
        },
      },
    );
  access.signInAs();
  access.state.update({
    grants: [
      access.grant({
        id: GRANT_ID,
        target,
        expiresAt: Date.now() + 30 * 60_000,
        ...(covers === undefined ? {} : { covers }),
      }),
    ],
  });
  return started;
}

const sshAdd = (socket: string) =>
  spawnSync('ssh-add', ['-L'], { env: { SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
};

describe('elevated terminals: SSH_AUTH_SOCK is the terminal own ssh-agent with the grant certificate', () => {
  it('a role whose covers (from the broker) list a host group: the terminal env points at an agent listing its certificate; closing the terminal kills it', async () => {
    const { vs } = await withSsh({ type: 'Role', id: 'ml-researcher' }, [
      { type: 'BucketPrefix', id: 's3://corp-ml/checkpoints/' },
      { type: 'HostGroup', id: 'gpu-a100' },
      { type: 'Service', id: 'model-registry' },
    ]);
    await vs.commands.get('strongroom.openElevatedTerminal')?.(GRANT_ID);
    expect(vs.shown.filter((s) => s.kind === 'error')).toEqual([]);
    const socket = vs.terminals[0]?.options.env?.['SSH_AUTH_SOCK'] ?? '';
    expect(socket.startsWith(join(dir, 'terminals'))).toBe(true);
    const listed = sshAdd(socket).stdout.trim().split('\n');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatch(
      new RegExp(`^ssh-ed25519-cert-v01@openssh\\.com \\S+ strongroom:.*:grant=${GRANT_ID}$`),
    );
    expect(broker.issued.map((r) => [r.hostGroup, r.grantId])).toEqual([['gpu-a100', GRANT_ID]]);
    expect(vs.logged.join('\n')).toMatch(/SSH: a certificate for gpu-a100 \(principals ml\)/);

    vs.closeTerminal(0);
    await until(() => !existsSync(socket));
    expect(sshAdd(socket).status).toBe(2);
  });

  it('a HostGroup grant from an older broker (no covers): its own certificate; when the grant ends the agent goes (terminal still open)', async () => {
    const { vs, access } = await withSsh({ type: 'HostGroup', id: 'gpu-prod' });
    await vs.commands.get('strongroom.openElevatedTerminal')?.(GRANT_ID);
    const socket = vs.terminals[0]?.options.env?.['SSH_AUTH_SOCK'] ?? '';
    expect(sshAdd(socket).stdout).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    expect(broker.issued.map((r) => r.hostGroup)).toEqual(['gpu-prod']);
    access.state.update({ grants: [] });
    await until(() => !existsSync(socket) && access.revoked.length > 0);
    expect(sshAdd(socket).status).toBe(2);
    expect(access.revoked).toEqual(['term_0123456789abcdef']);
  });

  it.each([
    ['whose covers list no host group', [{ type: 'Service', id: 'notebooks' }]],
    ['from an older broker (no covers)', undefined],
  ])('a role %s: no SSH_AUTH_SOCK of ours, no agent, and the output channel says so', async (_, covers) => {
    const { vs } = await withSsh({ type: 'Role', id: 'restricted-data-reader' }, covers);
    await vs.commands.get('strongroom.openElevatedTerminal')?.(GRANT_ID);
    expect(vs.terminals).toHaveLength(1);
    expect(vs.terminals[0]?.options.env?.['SSH_AUTH_SOCK']).toBeUndefined();
    expect(broker.issued).toEqual([]);
    expect(existsSync(join(dir, 'terminals'))).toBe(false);
    expect(vs.logged.join('\n')).toMatch(/SSH_AUTH_SOCK not set by Strongroom/);
  });
});
