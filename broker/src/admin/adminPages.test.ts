import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld } from '../jit/jitWorld.test-support.js';
import { signInToPages } from './adminSession.test-support.js';

describe('admin pages: sign-in and authorization', () => {
  let world: JitWorld;
  beforeEach(async () => {
    world = await jitWorld();
  });
  afterEach(async () => world.close());

  it('sends a visitor without a session to the sign-in page and refuses their forms', async () => {
    const res = await world.broker.app.inject({ method: 'GET', url: '/admin' });
    expect(res.statusCode).toBe(303);
    expect(res.headers['location']).toBe('/admin/sign-in');
    const users = await world.broker.app.inject({ method: 'GET', url: '/admin/users' });
    expect(users.statusCode).toBe(303);
  });

  it('signs an admin in with a key touch and shows every admin page under a strict CSP', async () => {
    const admin = await world.person('ada', ['admin']);
    const b = await signInToPages(world, admin);
    expect(b.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const path of [
      '/admin',
      '/admin/users',
      '/admin/grants',
      '/admin/alerts',
      '/admin/locks',
      '/admin/reviews',
      '/admin/audit',
      '/admin/policy',
    ]) {
      const res = await world.broker.app.inject({ method: 'GET', url: path, headers: { cookie: b.cookie } });
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body).not.toMatch(/<script>(?!<\/script>)|on(click|load|submit)=/i);
    }
    // The bundle in force: its content hash (the version every decision records) and its tests.
    const policy = await world.broker.app.inject({
      method: 'GET',
      url: '/admin/policy',
      headers: { cookie: b.cookie },
    });
    expect(policy.body).toMatch(/data-testid="bundle-hash">sha256:[0-9a-f]{64}</);
    const summary = /data-testid="test-summary" class="ok">(\d+) of (\d+) passed/.exec(policy.body);
    expect(Number(summary?.[1])).toBeGreaterThan(0);
    expect(summary?.[1]).toBe(summary?.[2]);
  });
});
