import type { KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessBroker, type InProcessBroker } from '../http/inProcessBroker.test-support.js';
import { logoutSource } from './logoutPages.js';

/** Cookies a response set, as one Cookie header for the next request (what a browser would send). */
function cookiesFrom(setCookie: string | string[] | undefined): string {
  const all = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  return all.map((c) => c.split(';')[0]).join('; ');
}

function directive(csp: string, name: string): string[] {
  const found = csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name);
  return found?.slice(1) ?? [];
}

describe('logout pages (/session/end)', () => {
  let broker: InProcessBroker;
  beforeAll(async () => {
    broker = await inProcessBroker();
  });
  afterAll(async () => broker?.close());

  it('serve oidc-provider HTML under our CSP: no third-party font, inline script only by its hash', async () => {
    const start = await broker.app.inject({ method: 'GET', url: '/session/end' });
    expect(start.statusCode).toBe(200);
    expect(start.body).not.toMatch(/googleapis|https:\/\//);
    const csp = String(start.headers['content-security-policy']);
    expect(directive(csp, 'default-src')).toEqual(["'none'"]);
    expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"]);
    // form_post's auto-submit script is allowed by its own hash and nothing else inline.
    const scriptSrc = directive(csp, 'script-src');
    expect(scriptSrc[0]).toBe("'self'");
    expect(scriptSrc.slice(1)).toHaveLength(1);
    expect(scriptSrc[1]).toMatch(/^'sha256-[A-Za-z0-9+/=]+'$/);
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(start.headers['x-frame-options']).toBe('DENY');

    const xsrf = /name="xsrf" value="([^"]+)"/.exec(start.body)?.[1] ?? '';
    expect(xsrf).toBeTruthy();
    const confirm = await broker.app.inject({
      method: 'POST',
      url: '/session/end/confirm',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookiesFrom(start.headers['set-cookie']),
      },
      payload: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(confirm.statusCode).toBe(303);
    const success = await broker.app.inject({ method: 'GET', url: String(confirm.headers.location) });
    expect(success.statusCode).toBe(200);
    expect(success.body).toContain('You are signed out of Strongroom');
    expect(success.body).toContain('/assets/broker.css');
    expect(success.body).not.toMatch(/<style|<script|googleapis/);
    expect(directive(String(success.headers['content-security-policy']), 'script-src')).toEqual(["'self'"]);
  });

  it('refuses a confirmation without the xsrf value it handed out', async () => {
    const start = await broker.app.inject({ method: 'GET', url: '/session/end' });
    const confirm = await broker.app.inject({
      method: 'POST',
      url: '/session/end/confirm',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookiesFrom(start.headers['set-cookie']),
      },
      payload: new URLSearchParams({ xsrf: 'forged', logout: 'yes' }).toString(),
    });
    expect(confirm.statusCode).toBe(400);
    expect(confirm.body).not.toContain('You are signed out');
    expect(String(confirm.headers['content-security-policy'])).toContain("default-src 'none'");
  });

  // The signed-in case renders logoutSource; form-action must let the validated post-logout
  // redirect through (CSP governs the redirect after the POST) and nothing else.
  function renderFor(postLogoutRedirectUri: unknown): { body: string; csp: string } {
    const headers = new Map<string, string>();
    const ctx = {
      set: (name: string, value: string) => headers.set(name.toLowerCase(), value),
      oidc: { session: { state: { postLogoutRedirectUri } } },
    } as unknown as KoaContextWithOIDC & { body: string };
    void logoutSource(ctx, '<form id="op.logoutForm" method="post" action="/session/end/confirm"></form>');
    return { body: ctx.body, csp: headers.get('content-security-policy') ?? '' };
  }

  it('asks before signing out, with buttons bound to the provider form and our layout', () => {
    const { body, csp } = renderFor(undefined);
    expect(body).toContain('form="op.logoutForm" name="logout" value="yes"');
    expect(body).not.toMatch(/<style|<script/);
    expect(directive(csp, 'form-action')).toEqual(["'self'"]);
  });

  it('allows the registered post-logout redirect origin in form-action, only that origin', () => {
    expect(directive(renderFor('http://127.0.0.1:53124/logout').csp, 'form-action')).toEqual([
      "'self'",
      'http://127.0.0.1:53124',
    ]);
    expect(directive(renderFor('not a url').csp, 'form-action')).toEqual(["'self'"]);
    expect(directive(renderFor('data:text/html,x').csp, 'form-action')).toEqual(["'self'"]);
  });
});
