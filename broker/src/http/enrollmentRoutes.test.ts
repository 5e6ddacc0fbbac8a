import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentLink } from '../enrollment/createEnrollmentLink.js';
import { hashEnrollmentToken } from '../enrollment/enrollmentToken.js';
import { inProcessBroker, type InProcessBroker } from './inProcessBroker.test-support.js';

const csrf = 'c'.repeat(43);

describe('enrollment routes', () => {
  let broker: InProcessBroker;
  beforeAll(async () => {
    broker = await inProcessBroker();
  });
  afterAll(async () => broker?.close());

  async function newLink(ttlSeconds = 900) {
    const { url } = await createEnrollmentLink(broker.store, {
      issuer: broker.issuer,
      email: `new-${Math.random()}@example.com`,
      roles: [],
      kind: 'invite',
      createdBy: { kind: 'admin' },
      ttlSeconds,
      now: broker.clock.now,
    });
    return new URL(url).pathname;
  }

  async function snapshot() {
    return { users: await broker.store.listUsers(), head: await broker.store.auditHead() };
  }

  it('shows the enrollment page with a CSRF cookie and a strict CSP', async () => {
    const path = await newLink();
    const res = await broker.app.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-testid="register-key"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(String(res.headers['set-cookie'])).toMatch(/sr_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
  });

  it('refuses an expired link with a clear page and changes nothing', async () => {
    const path = await newLink(900);
    broker.clock.now += 16 * 60 * 1000;
    const before = await snapshot();
    const page = await broker.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This enrollment link has expired.');
    const post = await broker.app.inject({
      method: 'POST',
      url: `${path}/options`,
      headers: { cookie: `sr_csrf=${csrf}`, 'content-type': 'application/json' },
      payload: { csrf },
    });
    expect(post.statusCode).toBe(410);
    expect(post.json()).toEqual({
      error: 'enrollment_invalid',
      error_description: 'This enrollment link has expired.',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a used link with a clear page', async () => {
    const path = await newLink();
    const token = path.split('/').pop() ?? '';
    expect(await broker.store.consumeEnrollment(hashEnrollmentToken(token), broker.clock.now)).toBe(true);
    const page = await broker.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This enrollment link was already used.');
  });

  it('refuses an unknown or malformed link', async () => {
    for (const url of ['/enroll/' + 'A'.repeat(43), '/enroll/short', '/enroll/%3Cscript%3E']) {
      const page = await broker.app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(404);
      expect(page.body).not.toContain('<script>');
    }
  });

  it('refuses an oversized body with an OAuth-style error and changes nothing', async () => {
    const path = await newLink();
    const before = await snapshot();
    const res = await broker.app.inject({
      method: 'POST',
      url: `${path}/register`,
      headers: { cookie: `sr_csrf=${csrf}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ csrf, response: { id: 'x'.repeat(200_000) } }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses POSTs without the matching CSRF cookie or from another origin', async () => {
    const path = await newLink();
    const noCookie = await broker.app.inject({
      method: 'POST',
      url: `${path}/options`,
      headers: { 'content-type': 'application/json' },
      payload: { csrf },
    });
    expect(noCookie.statusCode).toBe(403);
    const crossOrigin = await broker.app.inject({
      method: 'POST',
      url: `${path}/options`,
      headers: {
        cookie: `sr_csrf=${csrf}`,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      payload: { csrf },
    });
    expect(crossOrigin.statusCode).toBe(403);
    // The browser's own word (Fetch Metadata) counts even when cookie and token match, e.g. from a
    // sibling subdomain that could plant the cookie; same-origin with both still works.
    for (const site of ['cross-site', 'same-site']) {
      const marked = await broker.app.inject({
        method: 'POST',
        url: `${path}/options`,
        headers: { cookie: `sr_csrf=${csrf}`, 'sec-fetch-site': site, 'content-type': 'application/json' },
        payload: { csrf },
      });
      expect(marked.statusCode).toBe(403);
    }
    const sameOrigin = await broker.app.inject({
      method: 'POST',
      url: `${path}/options`,
      headers: {
        cookie: `sr_csrf=${csrf}`,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      payload: { csrf },
    });
    expect(sameOrigin.statusCode).toBe(200);
    const form = await broker.app.inject({
      method: 'POST',
      url: `${path}/options`,
      headers: { cookie: `sr_csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf=${csrf}`,
    });
    expect(form.statusCode).toBe(415);
    expect(form.json()).toMatchObject({ error: expect.any(String), error_description: expect.any(String) });
  });
});
