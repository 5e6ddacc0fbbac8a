import { describe, expect, it } from 'vitest';
import { mappedService } from './parseServiceMap.js';
import { parseStrongroomConfig } from './parseStrongroomConfig.js';

const base = { broker: 'http://localhost:7700', clientId: 'strongroom-cli', acr: 'urn:strongroom:acr:hwk' };

describe('profile git and kube service maps', () => {
  it('keeps valid maps of git hosts and clusters to services', () => {
    const config = parseStrongroomConfig(
      {
        currentProfile: 'p',
        profiles: {
          p: {
            ...base,
            git: {
              'git.example.com': 'ml-git',
              '127.0.0.1:9418': 'https://git.ml.internal',
              '[::1]:80': 'ml-git',
            },
            kube: { 'training@eu-1': 'k8s-training' },
          },
        },
      },
      'test',
    );
    expect(config.profiles['p']?.git).toEqual({
      'git.example.com': 'ml-git',
      '127.0.0.1:9418': 'https://git.ml.internal',
      '[::1]:80': 'ml-git',
    });
    expect(config.profiles['p']?.kube).toEqual({ 'training@eu-1': 'k8s-training' });
  });

  it('reports every bad entry at once', () => {
    expect(() =>
      parseStrongroomConfig(
        {
          currentProfile: 'p',
          profiles: {
            p: { ...base, git: { 'https://git.example.com/': 'x', 'Git.Example.com': 'x', ok: 5 }, kube: [] },
          },
        },
        'test',
      ),
    ).toThrow(
      /git: "https:\/\/git.example.com\/" is not a valid name.*git: "Git.Example.com" is not a valid name.*git.ok must name a service.*kube must be an object/,
    );
  });
  it('maps only configured keys: a repository host or cluster named after an Object member gets nothing', () => {
    const config = parseStrongroomConfig(
      { currentProfile: 'p', profiles: { p: { ...base, git: { 'git.example.com': 'ml-git' } } } },
      'test',
    );
    const git = config.profiles['p']?.git;
    expect(mappedService(git, 'git.example.com')).toBe('ml-git');
    // What a plain lookup answers for such names: not a service, yet not undefined either.
    expect(git?.['constructor']).toBeDefined();
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'github.com'])
      expect(mappedService(git, name)).toBeUndefined();
    expect(mappedService(undefined, 'git.example.com')).toBeUndefined();
    expect(mappedService(git, undefined)).toBeUndefined();
  });
});
