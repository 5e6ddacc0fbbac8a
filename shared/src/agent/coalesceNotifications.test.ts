import { describe, expect, it } from 'vitest';
import type { AgentNotification } from './AgentNotifier.js';
import { coalesceNotifications } from './coalesceNotifications.js';
import { ManualClock } from './fixtures/ManualClock.js';

const note = (key: string, overrides: Partial<AgentNotification> = {}): AgentNotification => ({
  key,
  severity: 'info',
  title: `title ${key}`,
  body: 'body',
  actions: [],
  ...overrides,
});

function setup() {
  const clock = new ManualClock();
  const shown: AgentNotification[] = [];
  const notifier = coalesceNotifications({ show: (n) => shown.push(n) }, clock, {
    windowMs: 30_000,
    burst: 3,
  });
  return { clock, shown, notifier };
}

describe('coalesceNotifications', () => {
  it('shows a key once per window (a replayed event stream does not repeat itself)', () => {
    const { clock, shown, notifier } = setup();
    notifier.show(note('grant:1:expiring:10'));
    notifier.show(note('grant:1:expiring:10'));
    clock.advance(29_000);
    notifier.show(note('grant:1:expiring:10'));
    expect(shown.map((n) => n.key)).toEqual(['grant:1:expiring:10']);
    clock.advance(1_000);
    notifier.show(note('grant:1:expiring:10'));
    expect(shown).toHaveLength(2);
  });

  it('folds a burst beyond the limit into one summary at the end of the window, keeping actions', () => {
    const { clock, shown, notifier } = setup();
    for (let i = 0; i < 10; i++)
      notifier.show(
        note(`request:${String(i)}:approved`, { actions: [{ kind: 'activate', grantId: `g${String(i)}` }] }),
      );
    expect(shown).toHaveLength(3);
    clock.advance(30_000);
    expect(shown).toHaveLength(4);
    expect(shown[3]).toMatchObject({ key: 'summary', title: '7 Strongroom updates' });
    expect(shown[3]?.actions).toHaveLength(3);
    expect(shown[3]?.body.split('\n')).toHaveLength(7);
  });

  it('shows a single held notification as itself, not as a summary', () => {
    const { clock, shown, notifier } = setup();
    for (const k of ['a', 'b', 'c', 'd']) notifier.show(note(k));
    clock.advance(30_000);
    expect(shown.map((n) => n.key)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never holds back a critical notification (lock, wipe), but still shows it once', () => {
    const { shown, notifier } = setup();
    for (const k of ['a', 'b', 'c', 'd']) notifier.show(note(k));
    notifier.show(note('lock:session.revoked', { severity: 'critical' }));
    notifier.show(note('lock:session.revoked', { severity: 'critical' }));
    expect(shown.map((n) => n.key)).toEqual(['a', 'b', 'c', 'lock:session.revoked']);
  });

  it('drops what it holds when stopped', () => {
    const { clock, shown, notifier } = setup();
    for (const k of ['a', 'b', 'c', 'd', 'e']) notifier.show(note(k));
    notifier.stop();
    clock.advance(60_000);
    expect(shown).toHaveLength(3);
  });
});
