import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import type { AuthorizationRequest } from './authorizationRequestSchema.js';
import { makeBundleDir } from './makeBundleDir.js';
import { PolicyEngine } from './PolicyEngine.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function bundleDir(changes: Record<string, string | null> = {}): Promise<string> {
  const { dir, cleanup } = await makeBundleDir(changes);
  cleanups.push(cleanup);
  return dir;
}

const readPublic: AuthorizationRequest = {
  principal: { id: 'zoe' },
  action: 'read',
  resource: { type: 'Dataset', id: 'public-benchmarks' },
  context: {
    device: {
      enrolled: false,
      compliant: false,
      checks: {
        diskEncryption: 'unknown',
        firewall: 'unknown',
        osPatch: 'unknown',
        screenLock: 'unknown',
        secureBoot: 'unknown',
        endpointProtection: 'unknown',
      },
      keyProtection: 'software',
      attestationAgeSeconds: 0,
    },
    mfa: { method: 'hwk', ageSeconds: 0 },
    network: { sourceIp: '192.0.2.1', trusted: false },
    time: { hour: 3, weekday: 7 },
    grants: { roles: [], assets: [] },
  },
};

const closePublic =
  '@id("close-public")\n@reason("public datasets are closed for maintenance")\nforbid (principal, action, resource is Dataset) when { resource.tier == "public" };\n';

describe('PolicyEngine hot swap', () => {
  it('swaps in a new valid bundle atomically and every decision names the bundle that made it', async () => {
    const engine = await PolicyEngine.start(await bundleDir());
    const before = engine.authorize(readPublic);
    expect(before.decision).toBe('allow');
    const oldBundle = engine.bundle;

    const result = await engine.reload(await bundleDir({ 'policies/maintenance.cedar': closePublic }));
    expect(result).toMatchObject({ swapped: true, previousHash: before.bundleHash });
    const after = engine.authorize(readPublic);
    expect(after).toMatchObject({
      decision: 'deny',
      determiningPolicies: ['close-public'],
      reasons: ['public datasets are closed for maintenance'],
    });
    expect(after.bundleHash).toBe(engine.bundleHash);
    expect(after.bundleHash).not.toBe(before.bundleHash);
    // The replaced bundle's parsed sets are freed; using it by mistake fails loudly, never silently allows.
    expect(() => oldBundle.authorize(readPublic)).toThrow(BrokerError);
  });

  it('refuses an invalid bundle with its validation errors and keeps the old one in force', async () => {
    const engine = await PolicyEngine.start(await bundleDir({ 'policies/maintenance.cedar': closePublic }));
    const hash = engine.bundleHash;
    const bad = await bundleDir({
      'policies/maintenance.cedar': null,
      'policies/typo.cedar':
        '@id("typo")\npermit (principal, action, resource) when { resource.teir == "public" };\n',
    });
    const result = await engine.reload(bad);
    expect(result.swapped).toBe(false);
    expect(result.swapped ? [] : result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/policies\/typo\.cedar \(policy "typo" at line 1\).*teir/),
      ]),
    );
    expect(engine.bundleHash).toBe(hash);
    const d = engine.authorize(readPublic);
    expect(d).toMatchObject({ decision: 'deny', determiningPolicies: ['close-public'], bundleHash: hash });
  });

  it('refuses a bundle whose directory vanished or is unreadable, keeping the old one', async () => {
    const engine = await PolicyEngine.start(await bundleDir());
    const hash = engine.bundleHash;
    const result = await engine.reload('/nonexistent/strongroom-bundle');
    expect(result).toMatchObject({ swapped: false, hash });
    expect(engine.authorize(readPublic).decision).toBe('allow');
  });

  it('a half-edited bundle (catalog broken mid-edit) is refused, then the fixed one is taken', async () => {
    const dir = await bundleDir();
    const engine = await PolicyEngine.start(dir);
    const hash = engine.bundleHash;
    const catalogPath = join(dir, 'catalog.json');
    const good = await readFile(catalogPath, 'utf8');
    await writeFile(catalogPath, good.slice(0, good.length / 2));
    expect((await engine.reload(dir)).swapped).toBe(false);
    expect(engine.bundleHash).toBe(hash);
    const catalog = JSON.parse(good) as { assets: Array<{ id: string; tier: string }> };
    for (const asset of catalog.assets) if (asset.id === 'public-benchmarks') asset.tier = 'internal';
    await writeFile(catalogPath, JSON.stringify(catalog));
    const swap = await engine.reload(dir);
    expect(swap.swapped).toBe(true);
    expect(engine.authorize(readPublic).decision).toBe('deny');
  });

  it('a hot swap never reuses what the old bundle learned about a resource (guards, parsed sets)', async () => {
    // public-benchmarks is public: the posture forbids are left out for it (their first test,
    // resource.tier != "public", is false), and the undeniable device is no obstacle.
    const dir = await bundleDir();
    const engine = await PolicyEngine.start(dir);
    expect(engine.authorize(readPublic)).toMatchObject({
      decision: 'allow',
      determiningPolicies: ['public-any-user'],
    });
    const catalogPath = join(dir, 'catalog.json');
    const publicCatalog = await readFile(catalogPath, 'utf8');
    const catalog = JSON.parse(publicCatalog) as {
      assets: Array<{ id: string; tier: string; roles: string[] }>;
    };
    for (const asset of catalog.assets)
      if (asset.id === 'public-benchmarks')
        Object.assign(asset, { tier: 'internal', roles: ['ml-researcher'] });
    await writeFile(catalogPath, JSON.stringify(catalog));
    expect((await engine.reload(dir)).swapped).toBe(true);
    // Same request, same resource key: the new bundle evaluates the posture forbids again.
    const internal = engine.authorize(readPublic);
    expect(internal.decision).toBe('deny');
    expect(internal.reasons).toEqual(
      expect.arrayContaining([
        'device is not enrolled: sign in from an enrolled device (strongroom login)',
        'device posture: device is not compliant',
      ]),
    );
    // And back: a public asset again is allowed on the same device.
    await writeFile(catalogPath, publicCatalog);
    expect((await engine.reload(dir)).swapped).toBe(true);
    expect(engine.authorize(readPublic)).toMatchObject({
      decision: 'allow',
      determiningPolicies: ['public-any-user'],
    });
  });

  it('refuses to start on an invalid bundle', async () => {
    await expect(PolicyEngine.start(await bundleDir({ 'bundle.json': '{}' }))).rejects.toMatchObject({
      code: 'policy_invalid',
    });
  });
});
