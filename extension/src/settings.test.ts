import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { describe, expect, it } from 'vitest';
import { readSettings, sshHostGroupsFor } from './settings.js';
import { fakeVscode } from './testing/fakeVscode.js';

describe('readSettings (zod; broker and profile are machine-scoped)', () => {
  it('defaults: the config file decides the broker and profile, the agent is found automatically', () => {
    expect(readSettings(fakeVscode().api)).toEqual({
      brokerUrl: '',
      profile: '',
      agent: 'auto',
      cliPath: '',
      sshHostGroups: {},
      showCountdown: true,
    });
  });

  it('reads the user/machine level', () => {
    const vs = fakeVscode();
    vs.settings['brokerUrl'] = { globalValue: 'https://access.example.com' };
    vs.settings['profile'] = { globalValue: 'work' };
    expect(readSettings(vs.api)).toMatchObject({ brokerUrl: 'https://access.example.com', profile: 'work' });
  });

  it('a workspace cannot point the extension at another broker or profile (its values are ignored)', () => {
    const vs = fakeVscode();
    vs.settings['brokerUrl'] = { workspaceValue: 'https://evil.example', defaultValue: '' };
    vs.settings['profile'] = { workspaceValue: 'attacker', defaultValue: '' };
    vs.settings['agent'] = { workspaceValue: 'inProcess', defaultValue: 'auto' };
    vs.settings['cliPath'] = { workspaceValue: '/tmp/evil/strongroom', defaultValue: '' };
    vs.settings['sshHostGroups'] = { workspaceValue: { 'ml-researcher': ['gpu-prod'] }, defaultValue: {} };
    expect(readSettings(vs.api)).toMatchObject({
      brokerUrl: '',
      profile: '',
      agent: 'auto',
      cliPath: '',
      sshHostGroups: {},
    });
  });

  it.each([
    ['brokerUrl', 'http://access.example.com', /must use https/],
    ['brokerUrl', 'https://user:pw@access.example.com', /credentials/],
    ['brokerUrl', 'not a url', /not a URL/],
    ['profile', '../other', /profile name/],
    ['agent', 'socket-anywhere', /agent|Invalid/],
    ['cliPath', 'strongroom', /absolute path/],
    ['sshHostGroups', { 'ml-researcher': ['gpu a100; rm -rf'] }, /host group ids/],
    ['sshHostGroups', { 'ml-researcher': 'gpu-a100' }, /Invalid|expected array/],
  ])('refuses %s = %s with a clear error', (key, value, why) => {
    const vs = fakeVscode();
    vs.settings[key] = { globalValue: value };
    let error: unknown;
    try {
      readSettings(vs.api);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StrongroomError);
    expect((error as StrongroomError).code).toBe('config_invalid');
    expect((error as StrongroomError).message).toMatch(why);
  });

  it('the manifest declares both as machine-scoped and restricted in untrusted workspaces', async () => {
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    const props = manifest.contributes.configuration.properties;
    expect(props['strongroom.brokerUrl']?.scope).toBe('machine');
    expect(props['strongroom.profile']?.scope).toBe('machine');
    expect(props['strongroom.cliPath']?.scope).toBe('machine');
    expect(props['strongroom.sshHostGroups']?.scope).toBe('machine');
    expect(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations).toEqual([
      'strongroom.brokerUrl',
      'strongroom.profile',
      'strongroom.cliPath',
      'strongroom.sshHostGroups',
    ]);
  });
});

describe('sshHostGroupsFor (which certificates an elevated terminal gets)', () => {
  const settings = { sshHostGroups: { 'ml-researcher': ['gpu-a100', 'gpu-h100'] } };
  it('a HostGroup grant: its own group, whatever the settings say', () => {
    expect(sshHostGroupsFor(settings, { target: { type: 'HostGroup', id: 'gpu-prod' } })).toEqual([
      'gpu-prod',
    ]);
  });
  it('a Role: the groups the settings map it to; unmapped roles and other assets: none', () => {
    expect(sshHostGroupsFor(settings, { target: { type: 'Role', id: 'ml-researcher' } })).toEqual([
      'gpu-a100',
      'gpu-h100',
    ]);
    expect(sshHostGroupsFor(settings, { target: { type: 'Role', id: 'restricted-data-reader' } })).toEqual(
      [],
    );
    expect(sshHostGroupsFor(settings, { target: { type: 'Role', id: 'constructor' } })).toEqual([]);
    expect(sshHostGroupsFor(settings, { target: { type: 'Dataset', id: 'ml-researcher' } })).toEqual([]);
  });
});
