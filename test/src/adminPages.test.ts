import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startLoopbackReceiver } from './harness/loopbackReceiver.js';
import { nativeClient } from './harness/nativeClient.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

// A real broker child process and Chromium contexts with virtual keys on a shared 2-core machine:
// generous timeouts, no wall-clock assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'admin');
/** `STRONGROOM_UPDATE_DOCS=1` also refreshes the committed screenshots in docs/admin/. */
const DOCS = process.env['STRONGROOM_UPDATE_DOCS'] === '1' ? join(process.cwd(), 'docs', 'admin') : undefined;
const STATUS = '[data-testid="status"]';

/** A screenshot kept as a test artifact; `doc` ones also go to docs/admin/ for the README. */
async function shot(page: Page, name: string, doc = false): Promise<void> {
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (doc && DOCS !== undefined) await copyFile(file, join(DOCS, `${name}.png`));
}

/** A person with their own browser context (cookies) and security key. */
async function person(
  browser: LaunchedBrowser,
  link: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await enrollWithKey(page, link);
  return { context, page };
}

// Run in the page (the test project has no DOM types): every visible form control has a label,
// every button has text, the landmarks and the language are there, text contrast is readable.
const A11Y_SCRIPT = `(() => {
  const problems = [];
  for (const input of document.querySelectorAll('input, select, textarea')) {
    if (input.type === 'hidden') continue;
    const labelled =
      (input.id !== '' && document.querySelector('label[for="' + CSS.escape(input.id) + '"]') !== null) ||
      input.closest('label') !== null ||
      (input.getAttribute('aria-label') || '') !== '';
    if (!labelled) problems.push('unlabelled ' + input.tagName.toLowerCase() + ' name=' + input.name);
  }
  for (const button of document.querySelectorAll('button'))
    if ((button.textContent || '').trim() === '') problems.push('a button without text');
  for (const landmark of ['main', 'nav', 'header'])
    if (!document.querySelector(landmark)) problems.push('no <' + landmark + '>');
  if (!document.documentElement.lang) problems.push('no lang');
  // WCAG 2.2 1.4.3: text against its background at least 4.5:1 (3:1 for large or bold large text).
  const rgb = (c) => (c.match(/[0-9.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll('body *')) {
    const text = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    const style = getComputedStyle(el);
    if (!text || style.visibility === 'hidden' || el.getClientRects().length === 0 || el.closest('.sr-only, .skip')) continue;
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ' for "' + el.textContent.trim().slice(0, 30) + '"');
  }
  return problems;
})()`;

const FOCUSED_SCRIPT = `(() => {
  const el = document.activeElement;
  if (!el) return '';
  return el.tagName.toLowerCase() + ':' + (el.getAttribute('data-testid') || (el.textContent || '').trim().slice(0, 30));
})()`;

async function accessibilityProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(A11Y_SCRIPT)) as string[];
}

/** Presses Tab until the element with this test id has focus; the focus path, or throws. */
async function tabTo(page: Page, testId: string, max = 80): Promise<string[]> {
  await page.locator('body').focus();
  const path: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = (await page.evaluate(FOCUSED_SCRIPT)) as string;
    path.push(focused);
    if (focused.endsWith(`:${testId}`)) return path;
  }
  throw new Error(`Tab never reached ${testId}: ${path.join(' > ')}`);
}

describe('admin and approver pages in Chromium (real broker, virtual keys)', () => {
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let bob: Page; // admin and team lead: approves internal roles
  let root: Page; // the first admin
  let requestId = '';

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    broker = await startBroker({ args: ['--demo'] });
    browser = await launchBrowser();
    root = (await person(browser, broker.enrollmentLink ?? '')).page;
    bob = (await person(browser, await broker.invite('bob@example.test', ['team-leads', 'admin']))).page;
    const carl = await person(browser, await broker.invite('carl@example.test', ['ml-engineers']));
    // Carl asks for an internal role through the API, as his CLI would (DPoP-bound token).
    const receiver = await startLoopbackReceiver();
    const client = await nativeClient(broker.issuer);
    const login = await client.begin(receiver.redirectUri);
    await signInWithKey(carl.page, login.url);
    const tokens = await login.finish(await receiver.nextCallback());
    await receiver.close();
    const res = await oidc.fetchProtectedResource(
      client.config,
      tokens.access_token,
      new URL(`${broker.issuer}/api/v1/requests`),
      'POST',
      JSON.stringify({
        target: { type: 'Role', id: 'ml-researcher' },
        durationMinutes: 60,
        reason: 'retrain the ranking model on the new features',
      }),
      new Headers({ 'content-type': 'application/json' }),
      { DPoP: client.dpop },
    );
    const body = (await res.json()) as { request?: { id: string } };
    expect(res.status, JSON.stringify(body)).toBe(201);
    requestId = body.request?.id ?? '';
    // Then a burst of denied decisions (restricted data without a grant): the denial-burst detector
    // of the default bundle (15 in 60 s) raises an alert for the dashboard.
    for (let i = 0; i < 16; i++) {
      const denied = await oidc.fetchProtectedResource(
        client.config,
        tokens.access_token,
        new URL(`${broker.issuer}/api/v1/authorize`),
        'POST',
        JSON.stringify({ action: 'read', resource: { type: 'Dataset', id: 'customer-pii' } }),
        new Headers({ 'content-type': 'application/json' }),
        { DPoP: client.dpop },
      );
      expect(denied.status).toBeLessThan(500);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
  });

  it('sign in with a key touch, see the pending request on the dashboard, approve it by keyboard', async () => {
    await bob.goto(`${broker.issuer}/admin`);
    expect(new URL(bob.url()).pathname).toBe('/admin/sign-in');
    await bob.getByTestId('sign-in-key').click();
    await bob.waitForURL((url) => url.pathname === '/admin');
    await expect(bob.getByTestId('viewer').textContent()).resolves.toBe('bob@example.test');
    const review = bob.getByTestId(`review-${requestId}`);
    await review.waitFor();
    // The detector runner tails the audit log after commit: the alert shows up shortly.
    for (
      let i = 0;
      i < 30 && !((await bob.getByTestId('alerts').textContent()) ?? '').includes('carl');
      i++
    ) {
      await bob.waitForTimeout(1000);
      await bob.reload();
    }
    expect(await bob.getByTestId('alerts').textContent()).toContain('carl@example.test');
    await shot(bob, 'dashboard', true);
    expect(await accessibilityProblems(bob)).toEqual([]);

    // Keyboard only: Tab reaches the request's link from the top, Enter opens it.
    const toReview = await tabTo(bob, `review-${requestId}`);
    expect(toReview[0], 'the skip link comes first').toContain('Skip to content');
    await bob.keyboard.press('Enter');
    await bob.waitForURL((url) => url.pathname === `/admin/requests/${requestId}`);
    await bob.getByTestId('approve-key').waitFor();
    await shot(bob, 'approval', true);
    expect(await accessibilityProblems(bob)).toEqual([]);
    await tabTo(bob, 'approve-key');
    await bob.keyboard.press('Enter'); // the key touch (virtual authenticator: presence and UV)
    const settled = bob.locator(`${STATUS}[data-state="done"], ${STATUS}[data-state="error"]`);
    await settled.waitFor({ timeout: 30_000 });
    expect(await settled.textContent()).toContain('Approved.');

    await bob.goto(`${broker.issuer}/admin`);
    expect(await bob.getByTestId('pending').textContent()).toContain('Nothing waits for your approval.');
    expect(await bob.getByTestId('grants').textContent()).toContain('carl@example.test');
    await shot(bob, 'dashboard-after-approval');
  });

  it('every admin page: strict CSP honoured (no console violations), labelled inputs, landmarks, reachable actions', async () => {
    const violations: string[] = [];
    bob.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    for (const [path, action] of [
      ['/admin/users', undefined],
      ['/admin/grants', undefined],
      ['/admin/alerts', undefined],
      ['/admin/locks', undefined],
      ['/admin/reviews', 'start-review'],
      ['/admin/audit', 'verify-chain'],
      ['/admin/policy', undefined],
    ] as const) {
      const res = await bob.goto(`${broker.issuer}${path}`);
      expect(res?.status(), path).toBe(200);
      expect(res?.headers()['content-security-policy'], path).toContain("script-src 'self'");
      expect(await accessibilityProblems(bob), path).toEqual([]);
      if (action) await tabTo(bob, action);
    }
    // The check itself can fail: pale text and an unlabelled input are reported.
    await bob.evaluate(`(() => {
      const p = document.createElement('p');
      p.textContent = 'pale text';
      p.style.color = '#bbbbbb';
      document.querySelector('main').append(p, document.createElement('input'));
    })()`);
    expect(await accessibilityProblems(bob)).toEqual([
      'unlabelled input name=',
      expect.stringMatching(/^contrast 1\.\d+ for "pale text"$/),
    ]);
    // A revoke form on the grants page is reachable and labelled.
    await bob.goto(`${broker.issuer}/admin/grants`);
    const revoke = bob.locator('[data-testid^="revoke-"]').first();
    await revoke.waitFor();
    await tabTo(bob, (await revoke.getAttribute('data-testid')) ?? '');
    // The chain verifies from the page.
    await bob.goto(`${broker.issuer}/admin/audit`);
    await bob.getByTestId('verify-chain').click();
    await bob.waitForURL((url) => url.search.includes('done=verified'));
    expect(await bob.getByTestId('chain-state').textContent()).toContain('Chain verified');
    await bob.getByLabel('Event name').fill('jit.approve');
    await bob.getByTestId('filter').click();
    await bob.waitForURL((url) => url.search.includes('name=jit.approve'));
    expect(await bob.getByTestId('audit-records').textContent()).toContain('bob@example.test');
    await shot(bob, 'audit');
    expect(violations).toEqual([]);
  });

  it('an access review from the page: memberships with last use, keep one, refuse a review of one’s own membership', async () => {
    await bob.goto(`${broker.issuer}/admin/reviews`);
    await bob.getByLabel('Name (optional)').fill('Q4 access review');
    await bob.getByTestId('start-review').click();
    await bob.waitForURL((url) => url.search.includes('done=started'));
    const items = bob.getByTestId('review-items');
    // carl used ml-engineers (his request); bob used team-leads (his approval) and admin (pages).
    const row = (text: string) => items.locator('tr').filter({ hasText: text });
    expect(await row('carl@example.test').textContent()).toMatch(/ml-engineers.*UTC/);
    expect(await row('bob@example.test').filter({ hasText: 'admin' }).textContent()).toMatch(/admin.*UTC/);
    expect(await row('bob@example.test').filter({ hasText: 'team-leads' }).textContent()).toMatch(
      /team-leads.*UTC/,
    );
    await shot(bob, 'review');
    expect(await accessibilityProblems(bob)).toEqual([]);
    await row('carl@example.test').getByRole('button', { name: /^Keep/ }).click();
    await bob.waitForURL((url) => url.search.includes('done=decided'));
    expect(await row('carl@example.test').textContent()).toContain('keep');
    // Nobody reviews their own membership: refused with a reason on the page.
    await row('bob@example.test')
      .first()
      .getByRole('button', { name: /^Remove/ })
      .click();
    expect(await bob.getByTestId('error').textContent()).toContain('nobody reviews their own access');
  });

  it('one admin locks a person; another unlocks with a reason and a key touch', async () => {
    await root.goto(`${broker.issuer}/admin/sign-in`);
    await root.getByTestId('sign-in-key').click();
    await root.waitForURL((url) => url.pathname === '/admin');
    await root.goto(`${broker.issuer}/admin/users`);
    await root.getByLabel('Reason to lock carl@example.test').fill('laptop reported stolen');
    await root.locator('[data-testid^="lock-user-"]').filter({ hasText: 'Lock' }).last().click();
    await root.waitForURL((url) => url.pathname === '/admin/locks');
    expect(await root.getByTestId('locks').textContent()).toContain('carl@example.test');

    await bob.goto(`${broker.issuer}/admin/locks`);
    await bob.locator('[data-testid^="open-lock-"]').first().click();
    await bob.getByTestId('unlock-key').waitFor();
    expect(await accessibilityProblems(bob)).toEqual([]);
    await bob.getByLabel(/Reason for unlocking/).fill('laptop recovered, keys rotated');
    await bob.getByTestId('unlock-key').click();
    const settled = bob.locator(`${STATUS}[data-state="done"], ${STATUS}[data-state="error"]`);
    await settled.waitFor({ timeout: 30_000 });
    expect(await settled.textContent()).toContain('Unlocked.');
    await bob.goto(`${broker.issuer}/admin/locks`);
    expect(await bob.getByTestId('locks').textContent()).toContain('Nobody is locked.');
    expect(await bob.getByTestId('ended-locks').textContent()).toContain('laptop recovered, keys rotated');
    await shot(bob, 'locks');
  });
});
