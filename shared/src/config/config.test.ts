import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from './StrongroomConfig.js';
import { checkBrokerUrl } from './checkBrokerUrl.js';
import { configPath } from './configPath.js';
import { parseStrongroomConfig } from './parseStrongroomConfig.js';
import { readStrongroomConfig } from './readStrongroomConfig.js';
import { resolveProfile } from './resolveProfile.js';
import { writeStrongroomConfig } from './writeStrongroomConfig.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'strongroom-config-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('config', () => {
  it('defaults to one profile on the local development broker', async () => {
    const config = await readStrongroomConfig(join(tempDir(), 'missing.json'));
    expect(resolveProfile(config, undefined)).toMatchObject({
      name: 'default',
      broker: 'http://localhost:7700',
      clientId: 'strongroom-cli',
    });
  });

  it('round-trips through a file that only its owner can read', async () => {
    const path = join(tempDir(), 'strongroom', 'config.json');
    const config = {
      currentProfile: 'prod',
      profiles: {
        ...defaultConfig().profiles,
        prod: { broker: 'https://broker.example.com', clientId: 'strongroom-cli', acr: 'x' },
      },
    };
    await writeStrongroomConfig(path, config);
    expect(await readStrongroomConfig(path)).toEqual(config);
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it('reports every problem at once and refuses unknown fields', () => {
    const bad = {
      currentProfile: 'nope',
      profiles: { 'a.b': { broker: 'http://evil.example', clientId: '', acr: 'x', token: 'x' } },
      extra: 1,
    };
    let message = '';
    try {
      parseStrongroomConfig(bad, 'test');
    } catch (error) {
      message = (error as Error).message;
      expect(error).toMatchObject({ code: 'config_invalid' });
    }
    for (const part of [
      'unknown field "extra"',
      'profile name "a.b"',
      'must use https',
      'clientId',
      'unknown field "token"',
      '"nope"',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('refuses invalid JSON with a hint', async () => {
    const path = join(tempDir(), 'config.json');
    writeFileSync(path, '{');
    await expect(readStrongroomConfig(path)).rejects.toMatchObject({
      code: 'config_invalid',
      hint: expect.stringContaining('config set-broker'),
    });
  });

  it("keeps a profile's AWS STS endpoint and region, refusing clear text off loopback and unknown fields", () => {
    const base = { broker: 'https://b.example', clientId: 'strongroom-cli', acr: 'x' };
    const ok = parseStrongroomConfig(
      {
        currentProfile: 'p',
        profiles: { p: { ...base, aws: { stsEndpoint: 'http://127.0.0.1:4566', region: 'eu-west-1' } } },
      },
      'test',
    );
    expect(ok.profiles['p']?.aws).toEqual({ stsEndpoint: 'http://127.0.0.1:4566', region: 'eu-west-1' });
    let message = '';
    try {
      parseStrongroomConfig(
        {
          currentProfile: 'p',
          profiles: { p: { ...base, aws: { stsEndpoint: 'http://sts.example', region: 'mars', key: 'x' } } },
        },
        'test',
      );
    } catch (error) {
      message = (error as Error).message;
    }
    for (const part of ['aws.stsEndpoint: must use https', 'aws.region', 'aws: unknown field "key"'])
      expect(message).toContain(part);
  });

  it('allows plain http only on loopback', () => {
    expect(checkBrokerUrl('http://localhost:7700')).toBeUndefined();
    expect(checkBrokerUrl('http://127.0.0.1:1')).toBeUndefined();
    expect(checkBrokerUrl('https://b.example')).toBeUndefined();
    expect(checkBrokerUrl('http://b.example')).toMatch(/https/);
    expect(checkBrokerUrl('https://u:p@b.example')).toMatch(/credentials/);
    expect(checkBrokerUrl('nope')).toMatch(/not a URL/);
  });

  it('names unknown profiles with how to create them', () => {
    expect(() => resolveProfile(defaultConfig(), 'other')).toThrow(/no profile "other"/);
  });

  it('uses XDG_CONFIG_HOME when set', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/strongroom/config.json');
    expect(configPath({}, '/home/u')).toBe('/home/u/.config/strongroom/config.json');
  });
});
