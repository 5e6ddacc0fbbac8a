import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBroker, type RunningBroker } from './harness/startBroker.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/**
 * The real broker process with its log at `info` (every request logged): one-time link tokens and
 * query strings never reach the log, while the requests themselves still do (the control).
 */
describe('broker request log at info', () => {
  let broker: RunningBroker;
  let invite: string;
  beforeAll(async () => {
    broker = await startBroker({ logLevel: 'info' });
    invite = await broker.invite('dana@example.test');
  });
  afterAll(async () => broker?.stop());

  const tokenOf = (link: string): string => new URL(link).pathname.split('/').at(-1) ?? '';

  it('logs enrollment requests without their one-time token, and no query strings', async () => {
    const admin = broker.enrollmentLink ?? '';
    expect(tokenOf(admin).length).toBeGreaterThan(20);
    for (const link of [admin, invite]) expect((await fetch(link)).status).toBe(200);
    const state = `state-${Math.random().toString(36).slice(2)}`;
    await fetch(`${broker.url}/auth?client_id=strongroom-cli&response_type=code&state=${state}`, {
      redirect: 'manual',
    });
    await vi.waitFor(() => expect(broker.output()).toMatch(/\/enroll\/\[redacted\]/g), { timeout: 10_000 });
    await vi.waitFor(() => expect(broker.output()).toContain('/auth?[redacted]'), { timeout: 10_000 });
    const log = broker.output();
    // The start-up banner prints the admin link on purpose (to the operator); requests must not.
    const requestLines = log.split('\n').filter((l) => l.includes('"req"') || l.includes('"url"'));
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) {
      expect(line).not.toContain(tokenOf(admin));
      expect(line).not.toContain(tokenOf(invite));
      expect(line).not.toContain(state);
    }
    expect(log).not.toContain(tokenOf(invite));
  });
});
