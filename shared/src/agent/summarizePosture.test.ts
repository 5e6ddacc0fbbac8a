import { describe, expect, it } from 'vitest';
import type { PostureReport, PostureResult } from '../posture/PostureReport.js';
import { agentEventFrameSchema, agentPostureSchema, agentStatusResultSchema } from '../protocol/agentApi.js';
import { initialAgentState } from './AgentState.js';
import { summarizePosture } from './summarizePosture.js';

const check = (id: PostureResult['id'], status: PostureResult['status']): PostureResult => ({
  id,
  title: id,
  status,
  observed: `${id} seen`,
  expected: `${id} wanted`,
  fix: `fix ${id}`,
  durationMs: 1,
});
const report = (...checks: PostureResult[]): PostureReport => ({
  platform: 'linux',
  checkedAt: '2026-11-26T09:00:00.000Z',
  checks,
});

describe('summarizePosture: every check in the agent state', () => {
  it('keeps every check (id, title, status, what was seen, fix), failures first, then unknown, then passes', () => {
    const summary = summarizePosture(
      report(
        check('disk_encryption', 'pass'),
        check('screen_lock', 'unknown'),
        check('firewall', 'fail'),
        check('os_updates', 'pass'),
        check('secure_boot', 'fail'),
      ),
    );
    expect(summary.status).toBe('fail');
    expect(summary.checks?.map((c) => [c.id, c.status])).toEqual([
      ['firewall', 'fail'],
      ['secure_boot', 'fail'],
      ['screen_lock', 'unknown'],
      ['disk_encryption', 'pass'],
      ['os_updates', 'pass'],
    ]);
    expect(summary.checks?.[0]).toEqual({
      id: 'firewall',
      title: 'firewall',
      status: 'fail',
      observed: 'firewall seen',
      fix: 'fix firewall',
    });
    // `failing` is unchanged for clients that read only it: the ones that did not pass.
    expect(summary.failing.map((c) => c.id)).toEqual(['firewall', 'secure_boot', 'screen_lock']);
    expect(summary.checkedAt).toBe(Date.UTC(2026, 10, 26, 9));
  });

  it('pass only when every check passed; unknown when one could not be read or there were none', () => {
    expect(summarizePosture(report(check('firewall', 'pass'))).status).toBe('pass');
    expect(summarizePosture(report(check('firewall', 'pass'), check('screen_lock', 'unknown'))).status).toBe(
      'unknown',
    );
    expect(summarizePosture(report())).toMatchObject({ status: 'unknown', checks: [], failing: [] });
  });
});

describe('the posture on the wire (agent protocol v1, compatible both ways)', () => {
  const summary = summarizePosture(report(check('firewall', 'fail'), check('os_updates', 'pass')));
  const posture = { ...summary, attestation: null, attestationError: null };

  it('this agent sends `checks`, and its own schema (which checks every answer) accepts it', () => {
    expect(agentPostureSchema.parse(posture).checks).toHaveLength(2);
    const state = { ...initialAgentState(), posture };
    expect(agentEventFrameSchema.parse({ v: 1, event: 'state', state }).state.posture.checks).toHaveLength(2);
    expect(initialAgentState().posture.checks).toEqual([]);
  });

  it('an older agent without `checks` still parses (clients then fall back to `failing`)', () => {
    const old: Partial<typeof posture> = { ...posture };
    delete old.checks;
    expect(agentPostureSchema.parse(old).checks).toBeUndefined();
    const status = {
      ...initialAgentState(),
      posture: old,
      now: 0,
      grants: [],
      agent: { version: 'old', pid: 1, startedAt: 0, profile: 'default', broker: 'http://localhost:7700' },
    };
    expect(agentStatusResultSchema.safeParse(status).success).toBe(true);
  });

  it('a check with a field the protocol does not know is still refused (strict objects)', () => {
    const tampered = { ...posture, checks: [{ ...summary.checks?.[0], secret: 'x' }] };
    expect(agentPostureSchema.safeParse(tampered).success).toBe(false);
  });
});
