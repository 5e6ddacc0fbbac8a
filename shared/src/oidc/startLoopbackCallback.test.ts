import { describe, expect, it } from 'vitest';
import { startLoopbackCallback } from './startLoopbackCallback.js';

describe('startLoopbackCallback', () => {
  it('listens on 127.0.0.1 only, on a port the OS picks (RFC 8252 §7.3, §8.3)', async () => {
    const a = await startLoopbackCallback({ timeoutMs: 5_000 });
    const b = await startLoopbackCallback({ timeoutMs: 5_000 });
    expect(a.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(a.redirectUri).not.toBe(b.redirectUri);
    const port = new URL(a.redirectUri).port;
    await expect(fetch(`http://[::1]:${port}/callback`)).rejects.toThrow();
    await Promise.all([a.close(), b.close()]);
  });

  it('ignores other paths, takes exactly one callback, and shows a page with a strict CSP that echoes nothing', async () => {
    const loopback = await startLoopbackCallback({ timeoutMs: 5_000 });
    const other = await fetch(loopback.redirectUri.replace('/callback', '/favicon.ico'));
    expect(other.status).toBe(404);
    const page = fetch(`${loopback.redirectUri}?code=secret-code-value&state=<script>`);
    const received = await loopback.callback;
    expect(received.url.searchParams.get('code')).toBe('secret-code-value');
    await received.respond({ outcome: 'error', title: 'Sign-in failed', detail: 'because <b>reasons</b>' });
    const response = await page;
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(html).not.toContain('secret-code-value');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;b&gt;reasons&lt;/b&gt;');
    await expect(fetch(loopback.redirectUri)).rejects.toThrow(); // closed after the one callback
    await loopback.close();
  });

  it('gives up after the timeout with a message saying what to do', async () => {
    const loopback = await startLoopbackCallback({ timeoutMs: 50 });
    await expect(loopback.callback).rejects.toMatchObject({
      code: 'login_cancelled',
      hint: expect.stringContaining('strongroom login'),
    });
    await expect(fetch(loopback.redirectUri)).rejects.toThrow();
    await loopback.close();
  });
});
