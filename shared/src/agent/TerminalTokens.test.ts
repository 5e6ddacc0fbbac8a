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
});
