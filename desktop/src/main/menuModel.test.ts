import { initialAgentState } from '@strongroom/shared/agent/AgentState.js';
import { describe, expect, it, vi } from 'vitest';
import { makeAgentState, makeGrant, makeRequestView, NOW } from './makeAgentState.test-support.js';
import { menuModel, type MenuAction, type MenuItemModel } from './menuModel.js';
import { menuTemplate } from './menuTemplate.js';

const settings = { startAtLogin: false };

/** Every item, submenus flattened, for "is there an item that…" questions. */
function flat(items: readonly MenuItemModel[]): MenuItemModel[] {
  return items.flatMap((i) => (i.type === 'submenu' ? [i, ...flat(i.items)] : [i]));
}
const labels = (items: readonly MenuItemModel[]) => flat(items).map((i) => ('label' in i ? i.label : '—'));
const actions = (items: readonly MenuItemModel[]): MenuAction[] =>
  flat(items).flatMap((i) => (i.type === 'action' || i.type === 'checkbox' ? [i.action] : []));

describe('menuModel', () => {
  it('signed out: Sign in, status, posture, start at login, quit; nothing that needs a session', () => {
    const model = menuModel(initialAgentState(), NOW, settings);
    expect(labels(model)).toContain('Signed out');
    expect(actions(model)).toContainEqual({ kind: 'signIn' });
    expect(actions(model)).not.toContainEqual({ kind: 'openWindow', page: 'request' });
    expect(actions(model)).not.toContainEqual({ kind: 'refresh' });
    expect(actions(model)).not.toContainEqual({ kind: 'signOut' });
    expect(model.at(-1)).toEqual({ type: 'action', label: 'Quit Strongroom', action: { kind: 'quit' } });
  });

  it('signed in: who, when the session ends, Sign out, Request access…, Refresh now', () => {
    const model = menuModel(makeAgentState(), NOW, settings);
    expect(labels(model)).toEqual(
      expect.arrayContaining(['Signed in as alice@example.test', 'Session ends in 11 h 00 min']),
    );
    expect(actions(model)).toEqual(
      expect.arrayContaining([
        { kind: 'signOut' },
        { kind: 'openWindow', page: 'request' },
        { kind: 'refresh' },
      ]),
    );
  });

  it('an active grant shows its time left and a Drop for that grant; an approved one offers Activate', () => {
    const model = menuModel(
      makeAgentState({
        grants: [
          makeGrant(),
          makeGrant({
            id: 'g-2',
            state: 'approved',
            expiresAt: null,
            target: { type: 'Role', id: 'ml-researcher' },
            tier: 'internal',
          }),
        ],
      }),
      NOW,
      settings,
    );
    const active = flat(model).find(
      (i) => i.type === 'submenu' && i.label.startsWith('restricted-data-reader'),
    );
    expect(active).toMatchObject({ label: 'restricted-data-reader (restricted): 42 min left' });
    expect(active?.type === 'submenu' && active.items).toEqual([
      { type: 'action', label: 'Drop now', action: { kind: 'dropGrant', grantId: 'g-1' } },
    ]);
    expect(labels(model)).toContain('ml-researcher (internal): approved, activate within 1 h 00 min');
    expect(actions(model)).toEqual(
      expect.arrayContaining([
        { kind: 'activateGrant', grantId: 'g-2' },
        { kind: 'dropGrant', grantId: 'g-2' },
      ]),
    );
  });

  it('approvers see Pending approvals with each request, opening the approvals window; others see none', () => {
    const none = menuModel(makeAgentState(), NOW, settings);
    expect(labels(none).some((l) => l.startsWith('Pending approvals'))).toBe(false);
    const model = menuModel(
      makeAgentState({ toApprove: [makeRequestView(), makeRequestView({ id: 'x' })] }),
      NOW,
      settings,
    );
    expect(labels(model)).toEqual(
      expect.arrayContaining([
        'Pending approvals (2)',
        'bob@example.test: restricted-data-reader for 30 min',
      ]),
    );
    expect(actions(model)).toContainEqual({ kind: 'openWindow', page: 'approvals' });
  });

  it('posture: the last result, the broker verdict, and each failing check with what was seen and the fix', () => {
    const model = menuModel(
      makeAgentState({
        posture: {
          status: 'fail',
          failing: [
            {
              id: 'disk',
              title: 'Disk encryption',
              status: 'fail',
              observed: 'no crypt layer',
              fix: 'Encrypt the disk',
            },
            { id: 'fw', title: 'Firewall', status: 'unknown', observed: 'no tool', fix: 'Install ufw' },
          ],
          checkedAt: NOW - 5 * 60_000,
          attestation: { compliant: false, attestedAt: NOW },
          attestationError: null,
        },
      }),
      NOW,
      settings,
    );
    expect(labels(model)).toEqual(
      expect.arrayContaining([
        'Posture: 1 failing',
        'Last result: failing (checked 5 min ago)',
        'Broker verdict: not compliant',
        'Failing: Disk encryption',
        'Observed: no crypt layer',
        'Fix: Encrypt the disk',
        'Unknown: Firewall',
        'Fix: Install ufw',
      ]),
    );
    expect(actions(model)).toContainEqual({ kind: 'openWindow', page: 'posture' });
  });

  it('locked: says why and that everything was wiped; only Sign in again, no access actions even with grants', () => {
    const model = menuModel(
      makeAgentState({
        locked: { reason: 'the broker revoked this session', source: 'session.revoked', at: NOW },
        grants: [makeGrant()],
      }),
      NOW,
      settings,
    );
    expect(labels(model)).toEqual(
      expect.arrayContaining([
        'Locked: the broker revoked this session',
        'Everything on this device was wiped.',
      ]),
    );
    expect(actions(model)).toContainEqual({ kind: 'signIn' });
    for (const a of [
      { kind: 'signOut' },
      { kind: 'refresh' },
      { kind: 'openWindow', page: 'request' },
      { kind: 'dropGrant', grantId: 'g-1' },
    ])
      expect(actions(model)).not.toContainEqual(a);
  });

  it('Start at login reflects the setting', () => {
    for (const startAtLogin of [true, false]) {
      const item = menuModel(initialAgentState(), NOW, { startAtLogin }).find((i) => i.type === 'checkbox');
      expect(item).toMatchObject({
        label: 'Start at login',
        checked: startAtLogin,
        action: { kind: 'toggleStartAtLogin' },
      });
    }
  });
});

describe('menuTemplate', () => {
  it('renders labels disabled, actions and checkboxes clickable with their action, submenus nested', () => {
    const dispatch = vi.fn();
    const template = menuTemplate(
      menuModel(makeAgentState({ grants: [makeGrant()] }), NOW, { startAtLogin: true }),
      dispatch,
    );
    expect(template[0]).toEqual({ label: 'Signed in as alice@example.test', enabled: false });
    const grant = template.find(
      (t) => typeof t.label === 'string' && t.label.startsWith('restricted-data-reader'),
    );
    const submenu = grant?.submenu;
    expect(Array.isArray(submenu)).toBe(true);
    const drop = Array.isArray(submenu) ? submenu[0] : undefined;
    expect(drop?.label).toBe('Drop now');
    drop?.click?.(undefined as never, undefined, undefined as never);
    expect(dispatch).toHaveBeenCalledWith({ kind: 'dropGrant', grantId: 'g-1' });
    const start = template.find((t) => t.label === 'Start at login');
    expect(start).toMatchObject({ type: 'checkbox', checked: true });
    expect(template.filter((t) => t.type === 'separator').length).toBeGreaterThan(0);
  });
});
