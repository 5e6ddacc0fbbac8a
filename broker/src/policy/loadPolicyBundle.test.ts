import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import { defaultPolicyBundleDir } from './defaultPolicyBundleDir.js';
import { checkPolicyBundle, loadPolicyBundle } from './loadPolicyBundle.js';
import { makeBundleDir } from './makeBundleDir.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function errorsOf(changes: Record<string, string | null>): Promise<readonly string[]> {
  const { dir, cleanup } = await makeBundleDir(changes);
  cleanups.push(cleanup);
  const result = await checkPolicyBundle(dir);
  if (result.ok) throw new Error('expected the bundle to be refused');
  return result.errors;
}

const tiers = await readFile(join(defaultPolicyBundleDir(), 'policies/tiers.cedar'), 'utf8');

describe('loadPolicyBundle', () => {
  it('loads the default bundle with every policy, the catalog and the tests', async () => {
    const bundle = await loadPolicyBundle(defaultPolicyBundleDir());
    expect(bundle.manifest.name).toBe('strongroom-default');
    expect(bundle.policies.map((p) => p.id)).toContain('restricted-active-grant');
    expect(bundle.catalog.has('Dataset::"customer-pii"')).toBe(true);
    expect(bundle.tests.length).toBeGreaterThan(0);
    expect(bundle.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.isFrozen(bundle)).toBe(true);
    bundle.release();
  });

  it('hashes content, not location: a copy has the same hash, any edit changes it', async () => {
    const original = await loadPolicyBundle(defaultPolicyBundleDir());
    const copy = await makeBundleDir();
    const edited = await makeBundleDir({ 'policies/tiers.cedar': `${tiers}\n// a comment is a change\n` });
    const renamed = await makeBundleDir({ 'policies/tiers.cedar': null, 'policies/tiers2.cedar': tiers });
    cleanups.push(copy.cleanup, edited.cleanup, renamed.cleanup);
    const hashes = await Promise.all(
      [copy.dir, edited.dir, renamed.dir].map(async (d) => (await loadPolicyBundle(d)).hash),
    );
    expect(hashes[0]).toBe(original.hash);
    expect(hashes[1]).not.toBe(original.hash);
    expect(hashes[2]).not.toBe(original.hash);
    expect(hashes[2]).not.toBe(hashes[1]);
  });

  it('reports a syntax error with file and line', async () => {
    const errors = await errorsOf({
      'policies/broken.cedar': '@id("x")\npermit (principal, acton, resource);\n',
    });
    expect(errors.join('\n')).toMatch(/policies\/broken\.cedar:2:\d+: .*acton/);
  });

  it('reports a policy that does not fit the schema (Cedar strict validation)', async () => {
    const errors = await errorsOf({
      'policies/bad.cedar':
        '@id("bad-attr")\npermit (principal, action == Action::"read", resource) when { resource.colour == "red" };\n',
    });
    expect(errors.join('\n')).toMatch(/policies\/bad\.cedar \(policy "bad-attr" at line 1\).*colour/);
  });

  it('requires @id on every policy and refuses duplicates', async () => {
    const errors = await errorsOf({
      'policies/ids.cedar':
        'permit (principal, action, resource) when { false };\n@id("public-any-user")\nforbid (principal, action, resource) when { false };\n',
    });
    expect(errors.some((e) => e.includes('needs an @id'))).toBe(true);
    expect(
      errors.some((e) => /@id\("public-any-user"\) is already used at policies\/ids\.cedar:2/.test(e)),
    ).toBe(true);
  });

  it('checks the catalog against the schema and the manifest against its format', async () => {
    const catalog = JSON.parse(await readFile(join(defaultPolicyBundleDir(), 'catalog.json'), 'utf8')) as {
      assets: Array<Record<string, unknown>>;
    };
    catalog.assets.push({
      type: 'Dataset',
      id: 'bad',
      tier: 'internal',
      labels: [],
      owners: [],
      roles: ['ml-researcher'],
      colour: 'red',
    });
    catalog.assets.push({ type: 'Spreadsheet', id: 'x', tier: 'public' });
    catalog.assets.push({ type: 'Model', id: 'no-tier', labels: [], owners: [], roles: [] });
    const errors = await errorsOf({
      'catalog.json': JSON.stringify(catalog),
      'bundle.json': '{"name": "x", "requests": {"ticketPattern": "("}}',
    });
    const text = errors.join('\n');
    expect(text).toContain('Dataset::"bad".colour: not in the schema');
    expect(text).toContain('entity type Spreadsheet is not in the schema');
    expect(text).toContain('Model::"no-tier".tier: required');
    expect(text).toContain('bundle.json: requests.ticketPattern: not a valid regular expression');
  });

  it('refuses unexpected files, a missing schema and symbolic links', async () => {
    expect((await errorsOf({ 'notes.txt': 'hi' })).join('\n')).toContain('notes.txt: unexpected file');
    expect((await errorsOf({ 'schema.cedarschema': null })).join('\n')).toContain(
      'exactly one *.cedarschema',
    );
    const { dir, cleanup } = await makeBundleDir();
    cleanups.push(cleanup);
    await symlink('/etc/hostname', join(dir, 'policies', 'link.cedar'));
    const result = await checkPolicyBundle(dir);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors.join('\n')).toContain('symbolic links are not allowed');
  });

  it('throws a policy_invalid BrokerError listing every problem', async () => {
    const { dir, cleanup } = await makeBundleDir({ 'policies/a.cedar': 'nonsense', 'notes.txt': 'x' });
    cleanups.push(cleanup);
    const error = await loadPolicyBundle(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).code).toBe('policy_invalid');
    expect((error as BrokerError).message).toContain('notes.txt');
    expect((error as BrokerError).message).toContain('policies/a.cedar');
  });
});
