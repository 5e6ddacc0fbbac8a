import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import { makeGrant } from './accessFixtures.test-support.js';
import { elevatedTerminal } from './elevatedTerminal.js';

const grant = makeGrant({
  target: { type: 'Role', id: 'ml-researcher' },
  tier: 'internal',
  activateBy: 0,
  expiresAt: 2_000_000,
});

/** The agent's method registry at the edge: records calls, answers like createAgent/serveAwsFromAgent. */
function agent(aws: 'ok' | 'refused') {
  const calls: Array<{ method: string; params: unknown }> = [];
  const invoke = async (method: string, params: unknown): Promise<unknown> => {
    calls.push({ method, params });
    if (method === 'terminal.create')
      return {
        terminalId: 't-base',
        token: 'tok',
        expiresAt: 2_000_000,
        env: { STRONGROOM_TERMINAL_TOKEN: 'tok' },
      };
    if (method === 'aws.terminal') {
      if (aws === 'refused') throw new StrongroomError('denied', 'no AWS role is mapped to "ml-researcher"');
      return {
        terminalId: 't-aws',
        grantId: 'g1',
        expiresAt: 1_900_000,
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:4000/role/ml-researcher',
          AWS_CONTAINER_AUTHORIZATION_TOKEN: 'aws-tok',
        },
      };
    }
    throw new Error(`unexpected ${method}`);
  };
  const revoked: string[][] = [];
  const revoke = async (ids: readonly string[]): Promise<void> => {
    revoked.push([...ids]);
  };
  return { calls, invoke, revoke, revoked };
}

describe('elevatedTerminal: the pointers of one grant', () => {
  it('asks the agent for a grant-bound terminal token and the AWS pointers of the grant role', async () => {
    const a = agent('ok');
    const t = await elevatedTerminal(a.invoke, a.revoke, grant, 'VS Code: ml-researcher', {
      gitCredentialHelper: '!strongroom git-credential',
      log: () => undefined,
    });
    expect(a.calls).toEqual([
      { method: 'terminal.create', params: { label: 'VS Code: ml-researcher', grantId: 'g1' } },
      {
        method: 'aws.terminal',
        params: { role: 'ml-researcher', grantId: 'g1', label: 'VS Code: ml-researcher' },
      },
    ]);
    expect(t.terminalIds).toEqual(['t-base', 't-aws']);
    await t.dispose();
    await t.dispose();
    expect(a.revoked).toEqual([['t-base', 't-aws']]); // once, both tokens
    expect(t.expiresAt).toBe(1_900_000);
    expect(t.env).toEqual({
      STRONGROOM_TERMINAL_TOKEN: 'tok',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:4000/role/ml-researcher',
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'aws-tok',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'credential.helper',
      GIT_CONFIG_VALUE_0: '!strongroom git-credential',
    });
  });

  it('a role without AWS is a note, not a failure; no git config without the CLI', async () => {
    const refused = agent('refused');
    const t = await elevatedTerminal(refused.invoke, refused.revoke, grant, 'x', { log: () => undefined });
    expect(t.terminalIds).toEqual(['t-base']);
    expect(Object.keys(t.env)).toEqual(['STRONGROOM_TERMINAL_TOKEN']);
    expect(t.notes.join()).toMatch(/AWS: not available \(no AWS role is mapped/);
  });

  it('refuses a grant that is not active, before asking the agent for anything', async () => {
    const a = agent('ok');
    await expect(
      elevatedTerminal(a.invoke, a.revoke, { ...grant, state: 'approved', expiresAt: null }, 'x', {
        log: () => undefined,
      }),
    ).rejects.toThrow(/not active/);
    expect(a.calls).toEqual([]);
  });
});

describe('elevatedTerminal: KUBECONFIG', () => {
  it('points at a private exec-plugin kubeconfig (no secret), before the user own, removed on dispose', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sr-kube-')), 'terminals');
    const a = agent('refused');
    const t = await elevatedTerminal(a.invoke, a.revoke, grant, 'x', {
      log: () => undefined,
      kube: { command: 'strongroom', clusters: ['k8s-training'], dir, existing: '/home/alice/.kube/config' },
    });
    const [file, existing] = (t.env['KUBECONFIG'] ?? '').split(delimiter);
    expect(existing).toBe('/home/alice/.kube/config');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file ?? '').mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file ?? '', 'utf8'))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      users: [
        {
          name: 'strongroom-k8s-training',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: 'strongroom',
              args: ['kube-credential', '--cluster', 'k8s-training'],
              interactiveMode: 'Never',
              provideClusterInfo: false,
            },
          },
        },
      ],
      contexts: [
        {
          name: 'strongroom-k8s-training',
          context: { cluster: 'k8s-training', user: 'strongroom-k8s-training' },
        },
      ],
      'current-context': 'strongroom-k8s-training',
    });
    await t.dispose();
    expect(existsSync(file ?? '')).toBe(false);
    expect(a.revoked).toEqual([['t-base']]);
  });
});
