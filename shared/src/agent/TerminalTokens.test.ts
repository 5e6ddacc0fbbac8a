import { describe, expect, it } from 'vitest';
import { ManualClock } from './fixtures/ManualClock.js';
import { TerminalTokens } from './TerminalTokens.js';

describe('TerminalTokens', () => {
  it('issues 256-bit tokens that verify until expiry, revoke, or their grant ends', () => {
    const clock = new ManualClock();
    const tokens = new TerminalTokens(clock);
    const a = tokens.create({ label: 'a', grantId: 'g1', expiresAt: clock.now() + 60_000 });
    const b = tokens.create({ label: 'b', grantId: null, expiresAt: clock.now() + 120_000 });
    const c = tokens.create({ label: 'c', grantId: 'g2', expiresAt: clock.now() + 120_000 });
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(tokens.verify(a.token)).toMatchObject({ label: 'a', grantId: 'g1' });
    expect(tokens.verify(`${a.token}x`)).toBeUndefined();
    expect(tokens.verify('')).toBeUndefined();
    clock.advance(60_000);
    expect(tokens.verify(a.token)).toBeUndefined();
    expect(tokens.revokeGrant('g2')).toBe(1);
    expect(tokens.verify(c.token)).toBeUndefined();
    expect(tokens.revoke(b.terminalId)).toBe(true);
    expect(tokens.verify(b.token)).toBeUndefined();
    expect(tokens.list()).toEqual([]);
  });

  it('keeps no token in memory, only digests', () => {
    const tokens = new TerminalTokens(new ManualClock());
    const a = tokens.create({ label: 'a', grantId: null, expiresAt: Date.UTC(2030, 0, 1) });
    expect(JSON.stringify(tokens.list())).not.toContain(a.token);
  });

  it('tells listeners of each revocation with its reason, but not of expiry', () => {
    const clock = new ManualClock();
    const tokens = new TerminalTokens(clock);
    const heard: Array<[string, string]> = [];
    const stop = tokens.onRevoke((entry, reason) => heard.push([entry.label, reason]));
    const later = clock.now() + 60_000;
    const a = tokens.create({ label: 'a', grantId: 'g1', expiresAt: later });
    tokens.create({ label: 'b', grantId: 'g2', expiresAt: later });
    const c = tokens.create({ label: 'c', grantId: null, expiresAt: later });
    tokens.create({ label: 'd', grantId: null, expiresAt: later });
    tokens.create({ label: 'short', grantId: null, expiresAt: clock.now() + 1_000 });
    tokens.revoke(a.terminalId);
    tokens.revokeGrant('g2');
    tokens.revoke(c.terminalId, 'holder-exited');
    tokens.revoke(c.terminalId, 'holder-exited'); // already gone: nothing more to tell
    clock.advance(1_000);
    tokens.revokeAll();
    expect(heard).toEqual([
      ['a', 'revoked'],
      ['b', 'grant-ended'],
      ['c', 'holder-exited'],
      ['d', 'session-ended'],
    ]);
    stop();
    tokens.create({ label: 'e', grantId: null, expiresAt: later });
    tokens.revokeAll();
    expect(heard).toHaveLength(4);
  });
});
