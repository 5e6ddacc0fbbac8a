import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Activated } from './activateStrongroom.js';
import { ElevatedTerminals } from './ElevatedTerminals.js';
import { startExtension, settle, type Started } from './testing/startExtension.js';

/**
 * Workspace trust: "Open Elevated Terminal" runs only in a trusted workspace. The manifest's
 * `enablement` greys out the palette entry but does not stop `executeCommand` (VS Code docs), so
 * the command refuses itself, and no menu of ours offers it. Each way in is tried here with an
 * untrusted workspace.
 */
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  capabilities: {
    untrustedWorkspaces: { supported: string; description: string; restrictedConfigurations: string[] };
    virtualWorkspaces: { supported: boolean | string };
  };
  contributes: {
    commands: Array<{ command: string; enablement?: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    configuration: { properties: Record<string, { scope?: string }> };
  };
};

let running: Activated | undefined;
afterEach(() => running?.dispose());

async function untrustedWithActiveGrant(): Promise<Started> {
  const started = await startExtension((vs) => {
    vs.trusted = false;
  });
  running = started.activated;
  started.access.signInAs();
  started.access.state.update({ grants: [started.access.grant()] });
  return started;
}

const labelsOf = (items: readonly { label: string }[]): string[] => items.map((i) => i.label);

describe('workspace trust and elevated terminals', () => {
  it('executeCommand in an untrusted workspace: refused with the reason, nothing asked of the agent', async () => {
    const { vs, access } = await untrustedWithActiveGrant();
    vs.answers.push('Manage Workspace Trust');
    await vs.api.commands.executeCommand('strongroom.openElevatedTerminal', 'g1');
    await settle();
    expect(vs.terminals).toEqual([]);
    expect(access.calls.some((c) => c.method === 'openTerminal')).toBe(false);
    const warning = vs.shown.find((s) => s.kind === 'warning');
    expect(warning?.message).toMatch(/needs a trusted workspace/);
    expect(warning?.message).toMatch(/untrusted folder/);
    expect(warning?.options).toEqual(['Manage Workspace Trust']);
    expect(vs.executed.map((e) => e.id)).toContain('workbench.trust.manage');
    expect(vs.logged.join('\n')).toMatch(/workspace is not trusted/);
  });

  it('from the palette without a grant id: refused before any pick', async () => {
    const { vs, access } = await untrustedWithActiveGrant();
    await vs.commands.get('strongroom.openElevatedTerminal')?.();
    expect(vs.terminals).toEqual([]);
    expect(access.calls).toEqual([]);
  });

  it('the status bar menu leaves it out (and keeps Drop Elevation); trusted, it is there', async () => {
    const { vs } = await untrustedWithActiveGrant();
    let offered: string[] = [];
    vs.answers.push((items) => void (offered = labelsOf(items)));
    await vs.commands.get('strongroom.statusBarMenu')?.();
    expect(offered).toContain('$(debug-stop) Drop Elevation');
    expect(offered.some((l) => l.includes('Open Elevated Terminal'))).toBe(false);

    vs.trusted = true;
    vs.answers.push((items) => void (offered = labelsOf(items)));
    await vs.commands.get('strongroom.statusBarMenu')?.();
    expect(offered).toContain('$(terminal) Open Elevated Terminal');
  });

  it('Activate shows no "Open Elevated Terminal" button', async () => {
    const { vs, access } = await untrustedWithActiveGrant();
    access.state.update({ grants: [access.grant({ state: 'approved', expiresAt: null })] });
    await vs.commands.get('strongroom.activateGrant')?.('g1');
    const active = vs.shown.find((s) => s.message.includes('is active for'));
    expect(active?.options).toEqual([]);
    expect(vs.terminals).toEqual([]);
  });

  it('Show My Access offers dropping, not a terminal, for an active grant; picking it opens none', async () => {
    const { vs, access } = await untrustedWithActiveGrant();
    let offered: Array<{ label: string; description?: string; command?: string }> = [];
    vs.answers.push((items) => {
      offered = items as typeof offered;
      return offered[0];
    });
    vs.answers.push(undefined); // the drop confirmation: cancelled
    await vs.commands.get('strongroom.showAccess')?.();
    expect(offered[0]?.command).toBe('strongroom.dropElevation');
    expect(offered[0]?.description).toMatch(/terminals need a trusted workspace/);
    expect(offered.some((i) => i.command === 'strongroom.openElevatedTerminal')).toBe(false);
    expect(vs.terminals).toEqual([]);
    expect(access.calls.some((c) => c.method === 'grants.drop')).toBe(false);
  });

  it('ElevatedTerminals.open itself refuses (any future caller): denied, no token asked for', async () => {
    const { vs, access } = await untrustedWithActiveGrant();
    const terminals = new ElevatedTerminals(vs.api, () => undefined);
    await expect(terminals.open(access, access.grant())).rejects.toMatchObject({
      code: 'denied',
      message: expect.stringMatching(/needs a trusted workspace/) as unknown,
    });
    expect(access.calls).toEqual([]);
    expect(terminals.size).toBe(0);
  });

  it('trusted (the default): the same command opens the terminal', async () => {
    const started = await startExtension();
    running = started.activated;
    started.access.signInAs();
    started.access.state.update({ grants: [started.access.grant()] });
    await started.vs.api.commands.executeCommand('strongroom.openElevatedTerminal', 'g1');
    expect(started.vs.terminals).toHaveLength(1);
  });
});

describe('the manifest declares trust and virtual-workspace support honestly', () => {
  it('untrusted: limited; the description names the terminal; every machine-scoped setting is restricted', () => {
    const { untrustedWorkspaces } = manifest.capabilities;
    expect(untrustedWorkspaces.supported).toBe('limited');
    expect(untrustedWorkspaces.description).toMatch(/Open Elevated Terminal needs a trusted workspace/);
    const machine = Object.entries(manifest.contributes.configuration.properties)
      .filter(([, p]) => p.scope === 'machine')
      .map(([k]) => k)
      .filter((k) => k !== 'strongroom.agent');
    expect([...untrustedWorkspaces.restrictedConfigurations].sort()).toEqual(machine.sort());
  });

  it('every menu entry and the palette entry of the terminal command require trust', () => {
    const command = manifest.contributes.commands.find(
      (c) => c.command === 'strongroom.openElevatedTerminal',
    );
    expect(command?.enablement).toBe('isWorkspaceTrusted');
    const entries = Object.values(manifest.contributes.menus)
      .flat()
      .filter((m) => m.command === 'strongroom.openElevatedTerminal');
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) expect(entry.when).toMatch(/isWorkspaceTrusted/);
  });

  it('virtual workspaces: supported (nothing reads workspace files)', () => {
    expect(manifest.capabilities.virtualWorkspaces.supported).toBe(true);
    const sources = ['activateStrongroom.ts', 'core.ts', 'ElevatedTerminals.ts', 'AccessTrees.ts'].map((f) =>
      readFileSync(new URL(`./${f}`, import.meta.url), 'utf8'),
    );
    for (const source of sources) {
      expect(source).not.toMatch(/workspace\.(fs|findFiles|workspaceFolders|openTextDocument)/);
      expect(source).not.toMatch(/rootPath/);
    }
  });
});
