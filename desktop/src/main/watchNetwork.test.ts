import type { AgentClock } from '@strongroom/shared/agent/AgentClock.js';
import { describe, expect, it } from 'vitest';
import { networkFingerprint, watchNetwork } from './watchNetwork.js';

/** A clock whose timers run when the test says so. */
class StepClock implements AgentClock {
  timers: Array<() => void> = [];
  now = () => 0;
  after(_ms: number, run: () => void) {
    this.timers.push(run);
    return () => void (this.timers = this.timers.filter((t) => t !== run));
  }
  step() {
    const due = this.timers;
    this.timers = [];
    for (const t of due) t();
  }
}

const iface = (address: string, internal = false) => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4' as const,
  mac: '00:00:00:00:00:00',
  internal,
  cidr: null,
});

describe('watchNetwork', () => {
  it('fingerprints external addresses only, independent of order', () => {
    expect(
      networkFingerprint({ lo: [iface('127.0.0.1', true)], eth0: [iface('10.0.0.2')], wg0: undefined }),
    ).toBe('eth0/IPv4/10.0.0.2');
    expect(networkFingerprint({ b: [iface('2.2.2.2')], a: [iface('1.1.1.1')] })).toBe(
      networkFingerprint({ a: [iface('1.1.1.1')], b: [iface('2.2.2.2')] }),
    );
  });

  it('calls onChange once per change, not while nothing changes, and stops', () => {
    const clock = new StepClock();
    const seen = ['a', 'a', 'b', 'b', 'c'];
    let reads = 0;
    let changes = 0;
    const stop = watchNetwork({
      read: () => seen[Math.min(reads++, seen.length - 1)] ?? '',
      clock,
      onChange: () => changes++,
    });
    for (let i = 0; i < 4; i++) clock.step();
    expect(changes).toBe(2);
    stop();
    expect(clock.timers).toEqual([]);
  });
});
