import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultPolicyBundleDir } from './defaultPolicyBundleDir.js';
import { makeBundleDir } from './makeBundleDir.js';
import { registerPolicyCommands } from './registerPolicyCommands.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function run(...args: string[]): Promise<{ out: string; err: string; failed: boolean }> {
  const io = { out: [] as string[], err: [] as string[], failed: false };
  const program = new Command().exitOverride();
  registerPolicyCommands(program, {
    out: (l) => io.out.push(l),
    err: (l) => io.err.push(l),
    fail: () => (io.failed = true),
  });
  await program.parseAsync(['policy', ...args], { from: 'user' });
  return { out: io.out.join('\n'), err: io.err.join('\n'), failed: io.failed };
}

describe('strongroom-broker policy validate|test', () => {
  it('validates the default bundle and prints its hash', async () => {
    const r = await run('validate', defaultPolicyBundleDir());
    expect(r.failed).toBe(false);
    expect(r.out).toMatch(/^valid: strongroom-default, \d+ policies/);
    expect(r.out).toMatch(/hash: {2}sha256:[0-9a-f]{64}/);
  });

  it('fails validation with every problem on stderr', async () => {
    const { dir, cleanup } = await makeBundleDir({
      'policies/x.cedar': '@id("x") permit (principal, action, resource) when { principal.nope };',
      'stray.yaml': 'a: 1',
    });
    cleanups.push(cleanup);
    const r = await run('validate', dir);
    expect(r.failed).toBe(true);
    expect(r.err).toContain('invalid policy bundle');
    expect(r.err).toContain('stray.yaml: unexpected file');
    expect(r.err).toContain('nope');
  });

  it('runs the policy tests: all pass for the default bundle', async () => {
    const r = await run('test', defaultPolicyBundleDir());
    expect(r.failed).toBe(false);
    expect(r.out).toMatch(/\d+ passed, 0 failed/);
    expect(r.out).not.toContain('FAIL');
  });

  it('a wrong expectation fails the run and says what was decided instead', async () => {
    const wrong = {
      defaults: { principal: { id: 'zoe' } },
      cases: [
        {
          name: 'zoe reads customer data',
          action: 'read',
          resource: { type: 'Dataset', id: 'customer-pii' },
          context: {},
          expect: { decision: 'allow' },
        },
      ],
    };
    const { dir, cleanup } = await makeBundleDir({ 'tests/wrong.json': JSON.stringify(wrong) });
    cleanups.push(cleanup);
    const r = await run('test', dir);
    expect(r.failed).toBe(true);
    expect(r.out).toContain('FAIL tests/wrong.json: zoe reads customer data');
    // The context is empty: the request itself is refused, and the test says why.
    expect(r.out).toContain('context.device: required');
    expect(r.err).toMatch(/\d+ passed, 1 failed/);
  });

  it('fails when there are no tests', async () => {
    const { dir, cleanup } = await makeBundleDir({
      'tests/tiers.json': null,
      'tests/eligibility.json': null,
      'tests/services.json': null,
    });
    cleanups.push(cleanup);
    const r = await run('test', dir);
    expect(r.failed).toBe(true);
    expect(r.err).toContain('no policy tests');
  });
});
