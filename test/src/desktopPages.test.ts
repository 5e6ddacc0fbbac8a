import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '@strongroom/shared/agent/AgentClock.js';
import type { AgentNotification } from '@strongroom/shared/agent/AgentNotifier.js';
import { DEFAULT_ACR, DEFAULT_CLIENT_ID } from '@strongroom/shared/config/StrongroomConfig.js';
import { deviceKeyNamespace } from '@strongroom/shared/device/loadSoftwareDeviceKey.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import type { DesktopApi, DesktopPage, DesktopState } from '@strongroom/desktop/api/DesktopApi.js';
import { buildApp } from '@strongroom/desktop/build/buildApp.js';
import { APP_ASSET_DIR, ICON_DIR } from '@strongroom/desktop/main/appPaths.js';
import { appBaseUrl } from '@strongroom/desktop/main/appPages.js';
import { createDesktopAgent, type DesktopAgentParts } from '@strongroom/desktop/main/createDesktopAgent.js';
import { createDesktopMethods } from '@strongroom/desktop/main/createDesktopMethods.js';
import { createIpcHandler } from '@strongroom/desktop/main/createIpcHandler.js';
import { menuModel } from '@strongroom/desktop/main/menuModel.js';
import { trayPresentation } from '@strongroom/desktop/main/trayPresentation.js';
import { menuPreviewHtml } from '@strongroom/desktop/testing/menuPreviewHtml.js';
import { installAppWindow, openAppPage, pushState } from '@strongroom/desktop/testing/openAppPage.js';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator, type VirtualAuthenticator } from './harness/virtualAuthenticator.js';

// Real broker child process, three people with their own Chromium context and virtual key, three
// real agents in this process (keychain vault, device keys, the machine's posture checks): generous
// timeouts, no wall-clock assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'desktop');
/** `STRONGROOM_UPDATE_DOCS=1` also refreshes the committed screenshots in docs/desktop/. */
const DOCS =
  process.env['STRONGROOM_UPDATE_DOCS'] === '1' ? join(process.cwd(), 'docs', 'desktop') : undefined;
/** The screenshots README.md shows. */
const DOC_SHOTS = new Set([
  'status-signed-in',
  'status-locked',
  'request-dry-run',
  'approvals-pending',
  'menu-approved',
  'menu-elevated',
  'posture-report',
]);
const STATUS = '[data-testid="status"]';

interface Person {
  name: string;
  /** The "system browser": where sign-in happens, with this person's key. */
  browserPage: Page;
  key: VirtualAuthenticator;
  /** The "system browser" page's key (the one that enrolled and signs in). */
  browserKey: VirtualAuthenticator;
  /** The app window under test: the desktop pages, loaded the way the Electron session serves them. */
  appPage: Page;
  parts: DesktopAgentParts;
  profile: string;
  notifications: AgentNotification[];
  opened: DesktopPage[];
  ipcLog: string[];
  signIns: Array<Promise<void>>;
}

async function shot(page: Page, name: string): Promise<void> {
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (DOCS !== undefined && DOC_SHOTS.has(name)) await copyFile(file, join(DOCS, `${name}.png`));
}

async function settled(page: Page): Promise<string> {
  const status = page.locator(`${STATUS}[data-state="done"], ${STATUS}[data-state="error"]`);
  await status.waitFor({ timeout: 60_000 });
  return `${(await status.getAttribute('data-state')) ?? ''}: ${(await status.textContent()) ?? ''}`;
}

/** Waits until the element shows `text` (pages redraw asynchronously on state pushes). */
async function hasText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor({ timeout: 30_000 });
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('desktop pages in Chromium, over the real agent and broker', () => {
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  const people = new Map<string, Person>();
  const vault = createKeychainCredentialStore({
    platform: process.platform,
    service: 'strongroom-desktop-test',
  });
  const person = (name: string): Person => {
    const p = people.get(name);
    if (p === undefined) throw new Error(`no person ${name}`);
    return p;
  };
  const stateOf = (name: string): DesktopState => ({
    ...person(name).parts.agent.state.get(),
    now: Date.now(),
  });

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    if (DOCS !== undefined) await mkdir(DOCS, { recursive: true });
    await buildApp();
    broker = await startBroker({ args: ['--demo'] });
    browser = await launchBrowser();
    for (const [name, role] of [
      ['alice', 'ml-engineers'],
      ['bob', 'data-stewards'],
      ['carol', 'data-stewards'],
    ] as const) {
      // Own context per person: the broker's sign-in cookie is not shared.
      const context = await browser.browser.newContext({ viewport: { width: 640, height: 720 } });
      const browserPage = await context.newPage();
      const key = await addVirtualAuthenticator(browserPage);
      await enrollWithKey(browserPage, await broker.invite(`${name}@example.test`, [role]));
      const profile = `desktop-${name}-${randomBytes(5).toString('hex')}`;
      const notifications: AgentNotification[] = [];
      const signIns: Array<Promise<void>> = [];
      const parts = createDesktopAgent({
        host: {
          platform: process.platform,
          now: Date.now,
          log: () => undefined,
          notify: () => undefined,
          openBrowser: async (url) => {
            const work = signInWithKey(browserPage, url);
            work.catch(() => undefined);
            signIns.push(work);
          },
        },
        vault,
        profile: { name: profile, broker: broker.issuer, clientId: DEFAULT_CLIENT_ID, acr: DEFAULT_ACR },
        notifier: { show: (n) => notifications.push(n) },
        clock: systemClock,
        postureHost: createNodePostureHost,
        version: 'strongroom-desktop-test/0.1.0',
      });
      const opened: DesktopPage[] = [];
      const ipcLog: string[] = [];
      const handler = createIpcHandler({
        appBase: () => appBaseUrl(broker.issuer),
        methods: createDesktopMethods({
          agent: parts.desktop,
          approvals: parts.approvals,
          now: Date.now,
          openWindow: (page) => opened.push(page),
        }),
        log: (_level, message) => ipcLog.push(message),
      });
      // The app window: its own page (the harness DesktopApi, the app's routing) with the same key.
      const appPage = await context.newPage();
      const appKey = await addVirtualAuthenticator(appPage);
      await installAppWindow(appPage, { brokerUrl: broker.issuer, assetDir: APP_ASSET_DIR, handler });
      // What the main process does on every change: push the state to the window.
      parts.agent.state.subscribe(() => void pushState(appPage, stateOf(name)).catch(() => undefined));
      await parts.agent.start();
      people.set(name, {
        name,
        browserPage,
        browserKey: key,
        key: appKey,
        appPage,
        parts,
        profile,
        notifications,
        opened,
        ipcLog,
        signIns,
      });
    }
  });

  afterAll(async () => {
    for (const p of people.values()) {
      await p.parts.agent.signOut().catch(() => undefined);
      p.parts.agent.stop();
      await vault.clearProfile(p.profile).catch(() => undefined);
      await vault.clearProfile(deviceKeyNamespace(p.profile)).catch(() => undefined);
    }
    await browser?.close();
    await broker?.stop();
  });

  it('sign-in status: signed out, then "Sign in" goes through the system browser and the key, and the page shows the session', async () => {
    for (const name of ['alice', 'bob', 'carol']) {
      const p = person(name);
      await openAppPage(p.appPage, broker.issuer, 'status');
      await hasText(p.appPage.getByTestId('session'), 'You are signed out.');
      await p.appPage.getByTestId('sign-in').click();
      await p.appPage.getByTestId('sign-out').waitFor({ timeout: 60_000 });
      await Promise.all(p.signIns.splice(0));
      const session = p.appPage.getByTestId('session');
      await hasText(session, `${name}@example.test`);
      await hasText(session, 'hwk');
      // Buttons open other windows through the main process (no navigation in the page).
      await p.appPage.getByTestId('open-posture').click();
      await until(() => p.opened.includes('posture'), 'openWindow(posture)');
    }
    await shot(person('alice').appPage, 'status-signed-in');
  });

  it('request form: the dry run answers first, an edit withdraws it, and only then the request is sent', async () => {
    const page = person('alice').appPage;
    await openAppPage(page, broker.issuer, 'request');
    await page.locator('#target option').first().waitFor({ state: 'attached' });
    const options = await page.locator('#target option').allTextContents();
    expect(options.some((o) => o.startsWith('restricted-data-reader (restricted'))).toBe(true);
    await page
      .getByLabel('What you need')
      .selectOption({ label: options.find((o) => o.startsWith('restricted-data-reader')) ?? '' });
    await page.getByLabel('For how long (minutes)').fill('15');
    await page.getByLabel('Reason').fill('Investigate label drift in customer chats (desktop e2e)');
    expect(await page.getByTestId('submit').isDisabled()).toBe(true);
    await page.getByTestId('check').click();
    expect(await settled(page)).toMatch(/^done: Checked: you can send/);
    await hasText(page.getByTestId('dry-run-verdict'), 'Would be allowed.');
    await hasText(page.getByTestId('dry-run'), 'Needs 2 approvals');
    await shot(page, 'request-dry-run');

    // Editing after the answer withdraws it: the button is off until checked again.
    await page.getByLabel('For how long (minutes)').fill('16');
    expect(await page.getByTestId('submit').isDisabled()).toBe(true);
    await page.getByLabel('For how long (minutes)').fill('15');
    await page.getByTestId('check').click();
    expect(await settled(page)).toMatch(/^done: Checked: you can send/);
    expect(await page.getByTestId('submit').isEnabled()).toBe(true);
    await page.getByTestId('submit').click();
    await page.getByTestId('created').waitFor();
    const id = (await page.getByTestId('created').getAttribute('data-request-id')) ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await hasText(page.getByTestId('created'), 'pending');
    await shot(page, 'request-sent');

    // Longer than the target allows: the form refuses before asking anyone, and nothing is sent.
    await page.getByLabel('For how long (minutes)').fill('1440');
    await page.getByTestId('check').click();
    expect(
      await page
        .getByLabel('For how long (minutes)')
        .evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    await hasText(page.getByTestId('dry-run'), 'Check the request');
    expect(await page.getByTestId('submit').isDisabled()).toBe(true);

    // The broker decides anyway: without the form's own limit, its dry run says no, and why.
    await page.getByLabel('For how long (minutes)').evaluate((el) => el.removeAttribute('max'));
    await page.getByTestId('check').click();
    expect(await settled(page)).toMatch(/^done: Checked: this request would be denied/);
    await hasText(page.getByTestId('dry-run-verdict'), 'Would be denied.');
    expect(await page.getByTestId('dry-run-reasons').locator('li').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('dry-run-reasons').textContent()).toMatch(/120|duration|minutes/i);
    expect(await page.getByTestId('submit').isDisabled()).toBe(true);
  });

  it('approvals: B and C each approve with a key touch in the app page; A cannot approve her own; A is told to activate', async () => {
    const alice = person('alice');
    const mine = (await alice.parts.agent.call('requests.list', {})).requests.find(
      (r) => r.status === 'pending',
    );
    expect(mine).toBeDefined();
    const id = mine?.id ?? '';

    // Self-approval: refused by the broker, the reason reaches the page as a plain error object.
    await openAppPage(alice.appPage, broker.issuer, 'approvals');
    await alice.appPage.getByTestId('none').waitFor();
    const self = await alice.appPage.evaluate(
      (requestId) =>
        (globalThis as unknown as { strongroom: DesktopApi }).strongroom
          .approvalChallenge({ requestId })
          .then(
            () => 'allowed',
            (e: unknown) => e,
          ),
      id,
    );
    expect(self).toMatchObject({ code: 'denied' });
    expect(JSON.stringify(self)).toMatch(/nobody approves their own request/);

    for (const [index, name] of (['bob', 'carol'] as const).entries()) {
      const approver = person(name);
      await until(
        () => approver.parts.agent.state.get().toApprove.some((r) => r.id === id),
        `${name} sees the request`,
      );
      await openAppPage(approver.appPage, broker.issuer, 'approvals');
      const card = approver.appPage.locator(`article[data-request-id="${id}"]`);
      await hasText(card, 'Investigate label drift');
      await hasText(card, `${index} of 2`);
      if (index === 0) await shot(approver.appPage, 'approvals-pending');
      // The same security key, now plugged into the app's window: its credential as it is now
      // (the counter moved at sign-in; an older copy would be refused as a clone).
      for (const credential of await approver.browserKey.credentials())
        await approver.key.addCredential(credential);
      const before = (await approver.key.credentials())[0]?.signCount ?? 0;
      // B clicks; C uses only the keyboard (Tab to the button, Enter).
      if (index === 0) await card.getByTestId('approve-key').click();
      else {
        await approver.appPage.locator('body').focus();
        for (let tabs = 0; tabs < 10; tabs++) {
          await approver.appPage.keyboard.press('Tab');
          if (await card.getByTestId('approve-key').evaluate((el) => el === el.ownerDocument.activeElement))
            break;
        }
        await approver.appPage.keyboard.press('Enter');
      }
      const outcome = await settled(approver.appPage);
      expect(outcome).toMatch(
        index === 0 ? /^done: Your approval counts \(1 of 2\)/ : /^done: Approved: restricted-data-reader/,
      );
      // The virtual key really signed (its counter moved).
      expect((await approver.key.credentials())[0]?.signCount ?? 0).toBeGreaterThan(before);
    }

    // A is told (through the agent's notifier, from the broker's event) and can activate.
    await until(
      () => alice.parts.agent.state.get().grants.some((g) => g.requestId === id),
      'alice sees the grant',
    );
    await until(
      () => alice.notifications.some((n) => n.actions.some((a) => a.kind === 'activate')),
      'an Activate notification',
    );
  });

  it('tray menu model from the real state: approved, then elevated with time left and Drop (screenshots)', async () => {
    const alice = person('alice');
    const icon = async (file: string) =>
      `data:image/png;base64,${(await readFile(join(ICON_DIR, file))).toString('base64')}`;
    const preview = async (name: string, caption: string) => {
      const state = alice.parts.agent.state.get();
      const now = Date.now();
      const tray = trayPresentation(state, now);
      const page = await browser.newPage();
      await page.setContent(
        menuPreviewHtml(menuModel(state, now, { startAtLogin: true }), tray, await icon(tray.icon), caption),
      );
      await shot(page, name);
      await page.close();
      return { model: menuModel(state, now, { startAtLogin: true }), tray };
    };
    const approved = await preview('menu-approved', 'Tray menu: a grant approved and waiting');
    const grant = alice.parts.agent.state.get().grants[0];
    expect(JSON.stringify(approved.model)).toContain('"kind":"activateGrant"');

    await openAppPage(alice.appPage, broker.issuer, 'status');
    const activated = await alice.appPage.evaluate(
      (grantId) =>
        (globalThis as unknown as { strongroom: DesktopApi }).strongroom.activateGrant({ grantId }),
      grant?.id ?? '',
    );
    expect(activated?.grant.state).toBe('active');
    await until(
      () => alice.parts.agent.state.get().grants.some((g) => g.state === 'active'),
      'the grant is active in the agent',
    );
    const elevated = await preview('menu-elevated', 'Tray menu: elevated, with time left');
    const tray = elevated.tray;
    // The posture on this machine decides the icon: failing posture wins over elevated.
    expect(['elevated', 'postureFailing']).toContain(tray.indicator);
    expect(JSON.stringify(elevated.model)).toMatch(/restricted-data-reader \(restricted\): 1\d min left/);
    expect(JSON.stringify(elevated.model)).toContain('"kind":"dropGrant"');
  });

  it('posture report: "Check now" runs the real checks, attests, and shows every check, each failing one with its fix', async () => {
    const alice = person('alice');
    await openAppPage(alice.appPage, broker.issuer, 'posture');
    await alice.appPage.getByTestId('check-now').click();
    expect(await settled(alice.appPage)).toMatch(/^done: Checked: (passing|failing|incomplete)\./);
    const posture = alice.parts.agent.state.get().posture;
    expect(posture.checkedAt).not.toBeNull();
    await hasText(
      alice.appPage.getByTestId('attestation'),
      posture.attestation?.compliant === true ? 'compliant' : 'not compliant',
    );
    // Every check of the run has its row (this machine passes some and fails others), failing first.
    expect(posture.checks?.length).toBeGreaterThanOrEqual(6);
    const rows = alice.appPage.locator('[data-testid="posture-checks"] tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-check')))).toEqual(
      posture.checks?.map((c) => c.id),
    );
    for (const check of posture.checks ?? []) {
      const row = alice.appPage.locator(`tr[data-check="${check.id}"]`);
      await hasText(row, check.title);
      await hasText(row, { pass: 'Pass', fail: 'Fail', unknown: 'Unknown' }[check.status]);
      if (check.status !== 'pass') await hasText(row, check.fix);
    }
    await shot(alice.appPage, 'posture-report');
    // Whether this machine passes is not ours to choose; what each verdict does is (broker: a failing
    // report ends the active restricted grant at once, and the agent drops it).
    if (posture.attestation?.compliant === false)
      await until(() => alice.parts.agent.state.get().grants.length === 0, 'the restricted grant to end');
  });

  it('hardening in the page: the CSP blocks network access and the IPC refuses other frames and malformed payloads', async () => {
    const alice = person('alice');
    await openAppPage(alice.appPage, broker.issuer, 'status');
    // connect-src 'none': a page cannot reach the broker (or anything) itself.
    const fetched = await alice.appPage.evaluate(
      (url) =>
        fetch(url).then(
          () => 'fetched',
          (e: unknown) => String(e),
        ),
      `${broker.issuer}/.well-known/openid-configuration`,
    );
    expect(fetched).toMatch(/TypeError/);

    // Malformed payloads through the real bridge: refused before any method runs.
    const invoke = (channel: string, payload: unknown) =>
      alice.appPage.evaluate(
        ([c, p]) =>
          (
            globalThis as unknown as { __strongroomInvoke(c: string, p: unknown): Promise<unknown> }
          ).__strongroomInvoke(c, p),
        [channel, payload] as const,
      );
    const before = (await alice.parts.agent.call('requests.list', {})).requests.length;
    expect(
      await invoke('strongroom:createRequest', {
        target: { type: 'Role', id: 'restricted-data-reader' },
        durationMinutes: 15,
        reason: 'An unknown field rides along with this request',
        approver: 'alice',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await invoke('strongroom:dropGrant', { grantId: 7 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await invoke('strongroom:openWindow', { page: 'https://evil.example/' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await invoke('strongroom:shell', 'rm -rf /')).toMatchObject({
      ok: false,
      error: { code: 'unknown_channel' },
    });
    expect((await alice.parts.agent.call('requests.list', {})).requests.length).toBe(before);

    // Another origin, and the broker's own origin outside the app's path: the sender check refuses both.
    for (const url of ['http://evil.localhost:9/x.html', `${broker.issuer}/approve/x.html`]) {
      const other = await alice.appPage.context().newPage();
      await other.route('**/*', (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: '<p>hi</p>' }),
      );
      await other.exposeBinding('__strongroomInvoke', (source, channel: unknown, payload: unknown) =>
        createIpcHandler({
          appBase: () => appBaseUrl(broker.issuer),
          methods: createDesktopMethods({
            agent: alice.parts.desktop,
            approvals: alice.parts.approvals,
            now: Date.now,
            openWindow: () => undefined,
          }),
          log: () => undefined,
        })(String(channel), payload, source.frame.url()),
      );
      await other.goto(url);
      const answer = await other.evaluate(() =>
        (
          globalThis as unknown as { __strongroomInvoke(c: string, p: unknown): Promise<unknown> }
        ).__strongroomInvoke('strongroom:getState', undefined),
      );
      expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
      await other.close();
    }
    expect(alice.ipcLog.some((l) => l.includes('invalid_payload'))).toBe(true);
  });

  it('a lock pushed by the main process is shown at once; Sign out from the status page wipes the session from the keychain', async () => {
    const bob = person('bob');
    await openAppPage(bob.appPage, broker.issuer, 'status');
    await hasText(bob.appPage.getByTestId('session'), 'bob@example.test');
    // What the agent's state looks like after the broker revokes the session (createAgent lockDown).
    const locked: DesktopState = {
      ...stateOf('bob'),
      session: { status: 'signedOut' },
      grants: [],
      toApprove: [],
      locked: { reason: 'the broker revoked this session', source: 'session.revoked', at: Date.now() },
    };
    await pushState(bob.appPage, locked);
    await hasText(bob.appPage.getByTestId('locked'), 'the broker revoked this session');
    expect(await bob.appPage.getByTestId('locked').getAttribute('role')).toBe('alert');
    await shot(bob.appPage, 'status-locked');
    await pushState(bob.appPage, stateOf('bob'));

    const carol = person('carol');
    expect((await vault.list(carol.profile)).length).toBeGreaterThan(0);
    await openAppPage(carol.appPage, broker.issuer, 'status');
    await carol.appPage.getByTestId('sign-out').click();
    await hasText(carol.appPage.getByTestId('session'), 'You are signed out.');
    expect(carol.parts.agent.state.get().session.status).toBe('signedOut');
    expect(await vault.list(carol.profile)).toEqual([]);
  });
});
