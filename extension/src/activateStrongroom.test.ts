import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeRequestView, NOW } from '@strongroom/shared/access/accessFixtures.test-support.js';
import type { Activated } from './activateStrongroom.js';
import { settle, settleUntil, startExtension } from './testing/startExtension.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  contributes: { commands: Array<{ command: string; category: string }> };
};

const T0 = NOW;
let running: Activated | undefined;
afterEach(() => running?.dispose());

describe('activateStrongroom (the VS Code adapter, with a fake vscode surface)', () => {
  it('registers every command of the manifest, all in the Strongroom category', async () => {
    const { vs, activated } = await startExtension();
    running = activated;
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    expect([...vs.commands.keys()].sort()).toEqual(declared);
    expect(manifest.contributes.commands.every((c) => c.category === 'Strongroom')).toBe(true);
  });

  it('is ready with the first state drawn before the first refresh lands; a failed refresh is logged', async () => {
    // The agent's first refresh (broker, posture checks) never finishes here.
    let refreshes = 0;
    const { vs, access, activated } = await startExtension((_vs, scripted) => {
      scripted.signInAs();
      scripted.refresh = () => {
        refreshes += 1;
        return new Promise<void>(() => undefined);
      };
    });
    running = activated;
    expect(await activated.ready).toBe(access);
    expect(refreshes).toBe(1);
    expect(vs.statusItems[0]?.text).not.toBe('$(key) Strongroom: sign in');
    expect(vs.executed).toContainEqual({ id: 'setContext', args: ['strongroom.signedIn', true] });
    // It redraws when the refresh's state arrives, through the subscription.
    await access.signOut();
    expect(vs.statusItems[0]?.text).toBe('$(key) Strongroom: sign in');

    const second = await startExtension((_vs, failing) => {
      failing.refresh = () => Promise.reject(new Error('the broker is unreachable'));
    });
    expect(await second.activated.ready).toBe(second.access);
    await settle();
    second.activated.dispose();
    expect(second.vs.logged).toContainEqual('warn: first refresh failed: the broker is unreachable');
  });

  it('shows "sign in" when signed out, then the active elevation with a live countdown', async () => {
    const { vs, access, activated, clock } = await startExtension();
    running = activated;
    const item = vs.statusItems[0];
    expect(item?.text).toBe('$(key) Strongroom: sign in');
    access.signInAs();
    access.state.update({ grants: [access.grant()] });
    expect(item?.text).toBe('$(shield) restricted-data-reader · 42m');
    clock.now += 30 * 60_000;
    access.state.update({ connected: true }); // any redraw (the tick does the same)
    expect(item?.text).toBe('$(shield) restricted-data-reader · 12m');
  });

  it('warns in the status bar when posture fails', async () => {
    const { vs, access, activated } = await startExtension();
    running = activated;
    access.signInAs();
    access.state.update({
      posture: {
        status: 'fail',
        failing: [
          {
            id: 'diskEncryption',
            title: 'Disk encryption',
            status: 'fail',
            observed: 'none',
            fix: 'Encrypt /home',
          },
        ],
        checkedAt: T0,
        attestation: null,
        attestationError: null,
      },
    });
    expect(vs.statusItems[0]?.text).toContain('posture failing');
    expect(vs.statusItems[0]?.backgroundColor).toEqual({ id: 'statusBarItem.warningBackground' });
  });

  it('notifies an approval once, with Activate, which activates that grant', async () => {
    const { vs, access, activated } = await startExtension();
    running = activated;
    access.signInAs();
    vs.answers.push('Activate', undefined);
    access.state.update({ grants: [access.grant({ state: 'approved', expiresAt: null })] });
    access.state.update({ connected: true });
    access.state.update({ connected: false });
    await settleUntil(() => access.calls.some((c) => c.method === 'grants.activate'));
    const approvals = vs.shown.filter((s) => s.message.startsWith('Approved:'));
    expect(approvals).toHaveLength(1);
    expect(approvals[0]?.options).toEqual(['Activate']);
    expect(vs.executed).toContainEqual({ id: 'strongroom.activateGrant', args: ['g1'] });
    expect(access.calls).toContainEqual({ method: 'grants.activate', params: { grantId: 'g1' } });
  });

  it('requests access from the palette: target, duration, reason, ticket validated; dry run shown before submitting', async () => {
    const { vs, access, activated } = await startExtension();
    running = activated;
    access.signInAs();
    vs.answers.push(
      'restricted-data-reader',
      '45m',
      'Investigate label drift in customer chats',
      'DATA-42',
      'Submit Request',
    );
    await vs.commands.get('strongroom.requestAccess')?.();
    // The form refuses what the broker would refuse, while typing.
    const [duration, reason, ticket] = vs.inputValidations;
    expect(duration?.validate('3h')).toMatch(/At most 2 h/);
    expect(reason?.validate('.............')).toMatch(/at least 12 characters/);
    expect(ticket?.validate('not a ticket')).toMatch(/ticket format/);
    expect(ticket?.validate('')).toBeUndefined();
    const dryRunAt = access.calls.findIndex((c) => c.method === 'requests.dryRun');
    const createAt = access.calls.findIndex((c) => c.method === 'requests.create');
    expect(dryRunAt).toBeGreaterThanOrEqual(0);
    expect(createAt).toBeGreaterThan(dryRunAt);
    expect(access.calls[createAt]?.params).toEqual({
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 45,
      reason: 'Investigate label drift in customer chats',
      ticket: 'DATA-42',
    });
    expect(vs.shown.some((s) => s.message.includes('would be allowed: needs 2 approvals'))).toBe(true);
  });

  it('Extend (from the T-10 notice) pre-fills a new request: same target, same duration, no target pick', async () => {
    const { vs, access, activated, clock } = await startExtension();
    running = activated;
    access.signInAs();
    access.state.update({
      grants: [access.grant({ durationMinutes: 30, expiresAt: clock.now + 30 * 60_000 })],
    });
    clock.now += 20 * 60_000 + 1;
    let durationValue: unknown;
    vs.answers.push('Extend…');
    vs.answers.push(() => 'Still investigating the label drift', '', 'Submit Request');
    const showInputBox = vs.api.window.showInputBox;
    vs.api.window.showInputBox = (async (options: { value?: string }) => {
      if (durationValue === undefined) {
        durationValue = options.value;
        return options.value;
      }
      return showInputBox(options as never);
    }) as never;
    access.state.update({ connected: true }); // a redraw at T-10 tells, with Extend
    await vi.waitFor(() => expect(access.calls.some((c) => c.method === 'requests.create')).toBe(true));
    expect(vs.shown.find((s) => s.message === 'restricted-data-reader ends in 10m.')?.options).toEqual([
      'Extend…',
    ]);
    expect(durationValue).toBe('30m');
    expect(access.calls.find((c) => c.method === 'requests.create')?.params).toMatchObject({
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 30,
    });
  });

  it('a denied dry run shows the reasons and submits nothing', async () => {
    const { vs, access, activated } = await startExtension();
    running = activated;
    access.signInAs();
    access.dryRunAnswer = {
      ...access.dryRunAnswer,
      allowed: false,
      reasons: ['device posture: disk encryption failed'],
    };
    vs.answers.push(
      'restricted-data-reader',
      '30m',
      'Investigate label drift in customer chats',
      '',
      undefined,
    );
    await vs.commands.get('strongroom.requestAccess')?.();
    const denial = vs.shown.find((s) => s.kind === 'error');
    expect(denial?.message).toContain('Would be denied: device posture: disk encryption failed');
    expect(denial?.options).toContain('Check Device Posture');
    expect(access.calls.some((c) => c.method === 'requests.create')).toBe(false);
  });

  it('an elevated terminal gets pointers only; its token is revoked when it closes and when the grant ends', async () => {
    const { vs, access, activated } = await startExtension();
    running = activated;
    access.signInAs();
    access.state.update({ grants: [access.grant()] });
    await vs.commands.get('strongroom.openElevatedTerminal')?.('g1');
    expect(vs.terminals).toHaveLength(1);
    const options = vs.terminals[0]?.options;
    expect(options?.name).toMatch(/^restricted-data-reader until \d\d:\d\d$/);
    expect(options?.isTransient).toBe(true);
    expect(Object.keys(options?.env ?? {}).sort()).toEqual([
      'AWS_CONTAINER_AUTHORIZATION_TOKEN',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'SSH_AUTH_SOCK',
    ]);
    vs.closeTerminal(0);
    await settle();
    expect(access.revoked).toEqual(['term_0123456789abcdef']);

    await vs.commands.get('strongroom.openElevatedTerminal')?.('g1');
    access.state.update({ grants: [] }); // the grant ended (dropped, expired, revoked)
    await settle();
    expect(access.revoked).toEqual(['term_0123456789abcdef', 'term_0123456789abcdef']);
  });

  it('refuses an agent that offers a credential for a terminal (no terminal opens)', async () => {
    const { vs, access, activated } = await startExtension();
    running = activated;
    access.signInAs();
    access.state.update({ grants: [access.grant()] });
    access.terminalEnv = { ...access.terminalEnv, AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' };
    await vs.commands.get('strongroom.openElevatedTerminal')?.('g1');
    expect(vs.terminals).toHaveLength(0);
    expect(vs.shown.at(-1)?.message).toMatch(/AWS_SECRET_ACCESS_KEY is not a pointer/);
    expect(access.revoked).toEqual(['term_0123456789abcdef']); // nothing half-open is left behind
    expect(vs.logged.join('\n')).not.toContain('wJalrXUtnFEMI');
  });

  it('approving opens the broker approval page in the system browser (the key touch happens there)', async () => {
    const { vs, access, activated } = await startExtension();
    running = activated;
    access.signInAs('bob@example.test');
    access.toReview = [makeRequestView({ id: 'r1', requesterEmail: 'alice@example.test' })];
    vs.answers.push((items: readonly { label: string }[]) => ({ ...items[0], id: 'approve' }));
    // The approval is recorded by the broker page; the next poll no longer lists it.
    const review = vs.commands.get('strongroom.reviewRequests')?.('r1');
    await settleUntil(() => vs.opened.length > 0);
    access.toReview = [];
    await review;
    expect(vs.opened).toEqual(['http://localhost:7700/approve/link-for-r1']);
    expect(vs.shown.at(-1)?.message).toMatch(/approval of restricted-data-reader was recorded/);
  });
});
