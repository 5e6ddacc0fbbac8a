import { makeRequestView, MINUTE, NOW } from '@strongroom/shared/access/accessFixtures.test-support.js';
import type { AgentPosture } from '@strongroom/shared/agent/AgentState.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Activated } from './activateStrongroom.js';
import type { Row } from './AccessTrees.js';
import { startExtension, settle, type Started } from './testing/startExtension.js';

/** Commands, the status-bar menu and the views, through the shipped activate() on the fake surface. */
let running: Activated | undefined;
afterEach(() => running?.dispose());

async function signedIn(): Promise<Started> {
  const started = await startExtension();
  running = started.activated;
  started.access.signInAs();
  return started;
}

type Item = { label: string; description?: string; detail?: string; command?: string; args?: unknown[] };

/** Answers the next quick pick by recording its items (and its options) and picking `pick` of them. */
function capturePick(started: Started, pick: (items: Item[]) => Item | undefined = () => undefined) {
  const seen: { items: Item[]; title?: string } = { items: [] };
  const original = started.vs.api.window.showQuickPick;
  started.vs.api.window.showQuickPick = (async (items: unknown, options?: { title?: string }) => {
    started.vs.api.window.showQuickPick = original;
    seen.items = (await items) as Item[];
    seen.title = options?.title;
    return pick(seen.items);
  }) as never;
  return seen;
}

const posture = (overrides: Partial<AgentPosture> = {}): AgentPosture => ({
  status: 'fail',
  failing: [
    { id: 'firewall', title: 'Firewall', status: 'fail', observed: 'inactive', fix: 'sudo ufw enable' },
    { id: 'screenLock', title: 'Screen lock', status: 'unknown', observed: 'no desktop', fix: 'Set a lock' },
  ],
  // As the agent orders them: failures, unknown, passes.
  checks: [
    { id: 'firewall', title: 'Firewall', status: 'fail', observed: 'inactive', fix: 'sudo ufw enable' },
    { id: 'screenLock', title: 'Screen lock', status: 'unknown', observed: 'no desktop', fix: 'Set a lock' },
    { id: 'diskEncryption', title: 'Disk encryption', status: 'pass', observed: 'LUKS2', fix: 'Encrypt' },
    { id: 'osUpdates', title: 'OS updates', status: 'pass', observed: 'up to date', fix: 'apt upgrade' },
  ],
  checkedAt: NOW,
  attestation: { compliant: false, attestedAt: NOW },
  attestationError: null,
  ...overrides,
});

describe('Sign Out', () => {
  it('revokes every elevated terminal token first, then signs out and deletes local credentials', async () => {
    const started = await signedIn();
    const { vs, access } = started;
    access.state.update({ grants: [access.grant()] });
    await vs.commands.get('strongroom.openElevatedTerminal')?.('g1');
    expect(vs.terminals).toHaveLength(1);
    await vs.commands.get('strongroom.signOut')?.();
    const methods = access.calls.map((c) => c.method);
    expect(methods.indexOf('terminal.revoke')).toBeGreaterThanOrEqual(0);
    expect(methods.indexOf('terminal.revoke')).toBeLessThan(methods.indexOf('signOut'));
    expect(access.state.get().session.status).toBe('signedOut');
    expect(vs.shown.at(-1)?.message).toMatch(/signed out; local credentials deleted/);
    expect(vs.statusItems[0]?.text).toBe('$(key) Strongroom: sign in');
    expect(vs.executed).toContainEqual({ id: 'setContext', args: ['strongroom.signedIn', false] });
  });
});

describe('Show My Access', () => {
  it('signed out: says so and offers Sign In, which signs in', async () => {
    const started = await startExtension();
    running = started.activated;
    started.vs.answers.push('Sign In');
    await started.vs.commands.get('strongroom.showAccess')?.();
    expect(started.vs.shown[0]?.message).toBe('Strongroom: not signed in.');
    expect(started.vs.executed.map((e) => e.id)).toContain('strongroom.signIn');
    expect(started.access.state.get().session.status).toBe('signedIn');
  });

  it('lists active and approved grants, pending requests and a new request; picking runs the next step', async () => {
    const started = await signedIn();
    const { vs, access } = started;
    access.state.update({
      grants: [
        access.grant(),
        access.grant({
          id: 'g2',
          target: { type: 'Role', id: 'ml-researcher' },
          state: 'approved',
          expiresAt: null,
          activateBy: NOW + 20 * MINUTE,
        }),
      ],
    });
    access.mine = [makeRequestView({ id: 'r3', requesterEmail: 'alice@example.test', approvals: [] })];
    const seen = capturePick(started, (items) => items[1]);
    vs.answers.push(undefined); // Activate's follow-up notice: dismissed
    await vs.commands.get('strongroom.showAccess')?.();
    expect(seen.title).toBe('My access');
    expect(seen.items.map((i) => [i.label, i.description, i.command])).toEqual([
      [
        '$(shield) restricted-data-reader',
        'restricted · 42m left — open a terminal',
        'strongroom.openElevatedTerminal',
      ],
      [
        '$(unlock) ml-researcher',
        'approved · activate within 20m — activate now',
        'strongroom.activateGrant',
      ],
      ['$(clock) restricted-data-reader', 'pending · 0/2 approvals · 30 min', undefined],
      ['$(add) Request Elevated Access…', undefined, 'strongroom.requestAccess'],
    ]);
    expect(access.calls).toContainEqual({ method: 'requests.list', params: { status: 'pending' } });
    expect(vs.executed).toContainEqual({ id: 'strongroom.activateGrant', args: ['g2'] });
    expect(access.calls).toContainEqual({ method: 'grants.activate', params: { grantId: 'g2' } });
  });

  it('picking a pending request (no command) does nothing more', async () => {
    const started = await signedIn();
    started.access.mine = [makeRequestView({ id: 'r3' })];
    capturePick(started, (items) => items[0]);
    await started.vs.commands.get('strongroom.showAccess')?.();
    expect(started.vs.executed.filter((e) => e.id.startsWith('strongroom.'))).toEqual([]);
  });
});

describe('Check Device Posture', () => {
  it('runs the checks (refresh) and lists every one, failures first, with fixes and the broker verdict', async () => {
    const started = await signedIn();
    started.access.postureAnswer = { posture: posture(), report: null };
    const seen = capturePick(started);
    await started.vs.commands.get('strongroom.checkPosture')?.();
    expect(started.access.calls).toContainEqual({ method: 'posture', params: { refresh: true } });
    expect(seen.title).toBe(
      'Device posture failing: 1 check(s) to fix. The broker says this device is NOT compliant.',
    );
    expect(seen.items.map((i) => [i.label, i.description, i.detail])).toEqual([
      ['$(error) Firewall', 'inactive', 'Fix: sudo ufw enable'],
      ['$(question) Screen lock', 'no desktop', 'Fix: Set a lock'],
      ['$(pass) Disk encryption', 'LUKS2', undefined],
      ['$(pass) OS updates', 'up to date', undefined],
    ]);
  });

  it('all passing; an attestation that failed says why', async () => {
    const started = await signedIn();
    const checks = posture().checks?.map((c) => ({ ...c, status: 'pass' as const }));
    started.access.postureAnswer = {
      posture: posture({
        status: 'pass',
        failing: [],
        ...(checks === undefined ? {} : { checks }),
        attestation: null,
        attestationError: 'broker unreachable',
      }),
      report: null,
    };
    const seen = capturePick(started);
    await started.vs.commands.get('strongroom.checkPosture')?.();
    expect(seen.title).toBe('Device posture: every check passed. Not attested: broker unreachable.');
    expect(seen.items.every((i) => i.label.startsWith('$(pass)'))).toBe(true);
  });
});

describe('the status bar click (statusBarMenu)', () => {
  it('signed out: Sign In only, which runs the command', async () => {
    const started = await startExtension();
    running = started.activated;
    const seen = capturePick(started, (items) => items[0]);
    await started.vs.commands.get('strongroom.statusBarMenu')?.();
    expect(seen.items.map((i) => i.label)).toEqual(['$(key) Sign In']);
    expect(started.vs.executed.map((e) => e.id)).toContain('strongroom.signIn');
  });

  it('signed in: the actions that make sense now, in order; picking runs that command', async () => {
    const started = await signedIn();
    const { access, vs } = started;
    access.state.update({
      grants: [access.grant(), access.grant({ id: 'g2', state: 'approved', expiresAt: null })],
      toApprove: [makeRequestView(), makeRequestView({ id: 'r8' })],
    });
    const seen = capturePick(started, (items) => items.find((i) => i.label.includes('Check Device Posture')));
    access.postureAnswer = { posture: posture(), report: null };
    await vs.commands.get('strongroom.statusBarMenu')?.();
    expect(seen.title).toBe('Strongroom');
    expect(seen.items.map((i) => i.label)).toEqual([
      '$(terminal) Open Elevated Terminal',
      '$(debug-stop) Drop Elevation',
      '$(play) Activate Approved Grant',
      '$(add) Request Elevated Access…',
      '$(person) Review Access Requests (2)',
      '$(list-unordered) Show My Access',
      '$(shield) Check Device Posture',
      '$(sign-out) Sign Out',
    ]);
    expect(vs.executed.map((e) => e.id)).toContain('strongroom.checkPosture');
    expect(access.calls).toContainEqual({ method: 'posture', params: { refresh: true } });
  });

  it('signed in with nothing going on: no grant actions, no review entry', async () => {
    const started = await signedIn();
    const seen = capturePick(started);
    await started.vs.commands.get('strongroom.statusBarMenu')?.();
    expect(seen.items.map((i) => i.label)).toEqual([
      '$(add) Request Elevated Access…',
      '$(list-unordered) Show My Access',
      '$(shield) Check Device Posture',
      '$(sign-out) Sign Out',
    ]);
    expect(started.vs.executed.filter((e) => e.id.startsWith('strongroom.'))).toEqual([]);
  });
});

describe('Review → Deny', () => {
  it('asks for a reason (an empty one is refused), sends it trimmed, confirms', async () => {
    const started = await signedIn();
    const { vs, access } = started;
    access.toReview = [makeRequestView({ id: 'r1' })];
    vs.answers.push((items) => items.find((i) => i.label.includes('Deny')));
    vs.answers.push('  Not during the freeze, ask again Monday  ');
    await vs.commands.get('strongroom.reviewRequests')?.('r1');
    const [reason] = vs.inputValidations;
    expect(reason?.prompt).toBe('Why? The requester sees this.');
    expect(reason?.validate('   ')).toBe('Give a reason.');
    expect(reason?.validate('no')).toBeUndefined();
    expect(access.calls).toContainEqual({
      method: 'deny',
      params: { requestId: 'r1', reason: 'Not during the freeze, ask again Monday' },
    });
    expect(vs.shown.at(-1)?.message).toBe('Strongroom: request r1 denied.');
    expect(vs.opened).toEqual([]); // no approval page for a denial
  });

  it('cancelling the reason denies nothing; from the palette the request is picked first', async () => {
    const started = await signedIn();
    const { vs, access } = started;
    access.toReview = [
      makeRequestView({ id: 'r1' }),
      makeRequestView({ id: 'r2', requesterEmail: 'erin@x.test' }),
    ];
    vs.answers.push((items) => items[1]);
    vs.answers.push((items) => items.find((i) => i.label.includes('Deny')));
    vs.answers.push(undefined);
    await vs.commands.get('strongroom.reviewRequests')?.();
    expect(access.calls.some((c) => c.method === 'deny')).toBe(false);
  });

  it('nothing to review: says so', async () => {
    const started = await signedIn();
    await started.vs.commands.get('strongroom.reviewRequests')?.();
    expect(started.vs.shown.at(-1)?.message).toBe('Strongroom: nothing waits for your review.');
  });
});

describe('the views', () => {
  const rows = async (started: Started, view: string): Promise<Row[]> =>
    (await started.vs.trees.get(view)?.getChildren()) as Row[];
  const item = (started: Started, view: string, row: Row) =>
    started.vs.trees.get(view)?.getTreeItem(row) as {
      label: string;
      description?: string;
      tooltip?: string;
      iconPath?: { id: string };
      contextValue?: string;
      command?: { command: string; arguments: unknown[] };
    };

  it('To Review: a row per request (who → what, duration, approvals), clicking opens the review of that request', async () => {
    const started = await signedIn();
    started.access.state.update({
      toApprove: [
        makeRequestView({ approvals: [{ approverId: 'u9' } as never] }),
        makeRequestView({ id: 'r8', requesterEmail: undefined }),
      ],
    });
    const list = await rows(started, 'strongroom.toReview');
    expect(list.map((r) => [r.label, r.description, r.tooltip, r.contextValue, r.requestId])).toEqual([
      [
        'dave@example.test → restricted-data-reader',
        '30 min · 1/2',
        'Investigate label drift',
        'review',
        'r7',
      ],
      ['u2 → restricted-data-reader', '30 min · 0/2', 'Investigate label drift', 'review', 'r8'],
    ]);
    const first = item(started, 'strongroom.toReview', list[0] as Row);
    expect(first.iconPath?.id).toBe('person');
    expect(first.command).toEqual({
      command: 'strongroom.reviewRequests',
      title: 'Review',
      arguments: ['r7'],
    });
  });

  it('Device Posture: not checked yet, then a row per check with its icon, failing first, fixes in the tooltip', async () => {
    const started = await signedIn();
    expect((await rows(started, 'strongroom.posture')).map((r) => r.label)).toEqual(['Not checked yet']);
    // Out of order on purpose: the view orders them itself.
    const checks = posture().checks ?? [];
    started.access.state.update({
      posture: posture({ checks: [checks[2], checks[0], checks[3], checks[1]] as never }),
    });
    const list = await rows(started, 'strongroom.posture');
    expect(list.map((r) => [r.label, r.icon, r.description])).toEqual([
      ['Posture failing', 'error', new Date(NOW).toLocaleTimeString()],
      ['Firewall', 'error', 'fail · inactive'],
      ['Screen lock', 'question', 'unknown · no desktop'],
      ['Disk encryption', 'pass', 'LUKS2'],
      ['OS updates', 'pass', 'up to date'],
    ]);
    expect(list[1]?.tooltip).toBe('inactive\nFix: sudo ufw enable');
    expect(list[3]?.tooltip).toBe('LUKS2');
    expect(item(started, 'strongroom.posture', list[1] as Row).iconPath?.id).toBe('error');
    expect(item(started, 'strongroom.posture', list[3] as Row).iconPath?.id).toBe('pass');
  });

  it('Device Posture from an older agent (no `checks`): the failing ones, as before', async () => {
    const started = await signedIn();
    const old: Omit<AgentPosture, 'checks'> = { ...posture() };
    delete (old as Partial<AgentPosture>).checks;
    started.access.state.update({ posture: old });
    const list = await rows(started, 'strongroom.posture');
    expect(list.map((r) => r.label)).toEqual(['Posture failing', 'Firewall', 'Screen lock']);
  });

  it('Device Posture, all passing: the head says so and every check shows a pass icon', async () => {
    const started = await signedIn();
    const checks = (posture().checks ?? []).map((c) => ({ ...c, status: 'pass' as const }));
    started.access.state.update({ posture: posture({ status: 'pass', failing: [], checks }) });
    const list = await rows(started, 'strongroom.posture');
    expect(list[0]?.label).toBe('All checks pass');
    expect(list.slice(1).map((r) => r.icon)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('My Grants: active with time left and approved with its activation window; signed out: empty', async () => {
    const started = await signedIn();
    const { access } = started;
    access.state.update({
      grants: [access.grant(), access.grant({ id: 'g2', state: 'approved', expiresAt: null })],
    });
    const list = await rows(started, 'strongroom.grants');
    expect(list.map((r) => [r.label, r.description, r.contextValue, r.grantId])).toEqual([
      ['restricted-data-reader', '42m left', 'grant.active', 'g1'],
      ['restricted-data-reader', 'approved · activate within 1h 00m', 'grant.approved', 'g2'],
    ]);
    expect(item(started, 'strongroom.grants', list[1] as Row).command).toMatchObject({
      command: 'strongroom.activateGrant',
      arguments: ['g2'],
    });
    await started.vs.commands.get('strongroom.signOut')?.();
    await settle();
    expect(await rows(started, 'strongroom.grants')).toEqual([]);
  });
});
