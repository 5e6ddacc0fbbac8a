import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyBundleDir } from '@strongroom/broker/policy/defaultPolicyBundleDir.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';

/** Waits until the broker has printed `pattern` after the first `from` characters of its output. */
async function printed(broker: RunningBroker, from: number, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 300; i++) {
    const match = pattern.exec(broker.output().slice(from));
    if (match) return match;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`broker never printed ${String(pattern)}:\n${broker.output().slice(from)}`);
}

// The real broker process: SIGHUP re-reads the bundle directory; a valid bundle is swapped in
// atomically, an invalid one is refused with its errors and the old one stays in force.
describe('policy bundle hot reload on SIGHUP (real broker process)', () => {
  let broker: RunningBroker;
  let bundleDir: string;

  beforeAll(async () => {
    bundleDir = await mkdtemp(join(tmpdir(), 'strongroom-bundle-'));
    await cp(defaultPolicyBundleDir(), bundleDir, { recursive: true });
    broker = await startBroker({ args: ['--policy', bundleDir] });
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
    await rm(bundleDir, { recursive: true, force: true });
  });

  it(
    'swaps in a changed valid bundle, refuses a broken one and keeps the last good one, all audited',
    { timeout: 120_000 },
    async () => {
      const started = await printed(broker, 0, /^Policy bundle: \S+ \((sha256:[0-9a-f]+)\)$/m);
      const firstHash = started?.[1] ?? '';

      const tiers = join(bundleDir, 'policies', 'tiers.cedar');
      await writeFile(tiers, `${await readFile(tiers, 'utf8')}\n// reviewed 2026-11\n`);
      let mark = broker.output().length;
      broker.sendSignal('SIGHUP');
      const swapped = await printed(
        broker,
        mark,
        /^Policy bundle reloaded: (sha256:[0-9a-f]+) -> (sha256:[0-9a-f]+)$/m,
      );
      expect(swapped[1]).toBe(firstHash);
      const secondHash = swapped[2] ?? '';
      expect(secondHash).not.toBe(firstHash);

      await writeFile(
        join(bundleDir, 'policies', 'broken.cedar'),
        'permit (principal, action, resource) when {',
      );
      mark = broker.output().length;
      broker.sendSignal('SIGHUP');
      const refused = await printed(
        broker,
        mark,
        /^Policy bundle refused, (sha256:[0-9a-f]+) stays in force:\n\s+(.+)$/m,
      );
      expect(refused[1]).toBe(secondHash);
      expect(refused[2]).toMatch(/broken\.cedar/);

      // Still serving, with the last good bundle: a further valid reload starts from secondHash.
      await rm(join(bundleDir, 'policies', 'broken.cedar'));
      mark = broker.output().length;
      broker.sendSignal('SIGHUP');
      const again = await printed(
        broker,
        mark,
        /^Policy bundle reloaded: (sha256:[0-9a-f]+) -> (sha256:[0-9a-f]+)$|^Policy bundle refused/m,
      );
      // Same files as the second bundle: same content hash (the reload is refused or a no-op swap,
      // but never anything else).
      expect(again[0]).toMatch(new RegExp(secondHash));

      const exported = await broker.run(['audit', 'export']);
      expect(exported.code).toBe(0);
      const reloads = exported.stdout
        .split('\n')
        .filter((line) => line.includes('"policy.reload"'))
        .map((line) => JSON.parse(line) as { record?: { statusId: number; data?: Record<string, unknown> } });
      expect(reloads.length).toBeGreaterThanOrEqual(3);
      expect(reloads.some((r) => r.record?.statusId === 2)).toBe(true);
      expect(reloads.filter((r) => r.record?.statusId === 1).length).toBeGreaterThanOrEqual(2);
    },
  );
});
