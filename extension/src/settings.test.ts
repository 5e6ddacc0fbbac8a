import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { describe, expect, it } from 'vitest';
import { readSettings } from './settings.js';
import { fakeVscode } from './testing/fakeVscode.js';

describe('readSettings (zod; broker and profile are machine-scoped)', () => {
  it('defaults: the config file decides the broker and profile, the agent is found automatically', () => {
    expect(readSettings(fakeVscode().api)).toEqual({
      brokerUrl: '',
      profile: '',
      agent: 'auto',
      cliPath: '',
      showCountdown: true,
    });
  });

  it('ignores a leftover strongroom.sshHostGroups (removed: the broker says which host groups a grant covers)', () => {
    const vs = fakeVscode();
    vs.settings['sshHostGroups'] = { globalValue: { 'ml-researcher': ['gpu-prod'] } };
    expect(readSettings(vs.api)).not.toHaveProperty('sshHostGroups');
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
    expect(readSettings(vs.api)).toMatchObject({
      brokerUrl: '',
      profile: '',
      agent: 'auto',
      cliPath: '',
    });
  });

  it.each([
    ['brokerUrl', 'http://access.example.com', /must use https/],
    ['brokerUrl', 'https://user:pw@access.example.com', /credentials/],
    ['brokerUrl', 'not a url', /not a URL/],
    ['profile', '../other', /profile name/],
    ['agent', 'socket-anywhere', /agent|Invalid/],
    ['cliPath', 'strongroom', /absolute path/],
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
    expect(props['strongroom.sshHostGroups']).toBeUndefined();
    expect(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations).toEqual([
      'strongroom.brokerUrl',
      'strongroom.profile',
      'strongroom.cliPath',
    ]);
  });
});
