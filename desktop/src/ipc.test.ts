import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { describe, expect, it, vi } from 'vitest';
import { DESKTOP_METHODS, channelOf, type DesktopMethod } from './api/DesktopApi.js';
import { ipcChannels, ipcPayloadSchemas, parseIpc, type IpcMethods } from './ipc.js';
import { appBaseUrl } from './main/appPages.js';
import { createIpcHandler } from './main/createIpcHandler.js';

const APP = 'http://localhost:7700/_strongroom-desktop/request.html';
const REQUEST_ID = '6f1c1d3e-8a52-4f7b-9d55-0c1a2b3c4d5e';
const request = {
  target: { type: 'Role', id: 'restricted-data-reader' },
  durationMinutes: 30,
  reason: 'Label drift in chats',
};
const assertion = {
  id: 'cred',
  rawId: 'cred',
  type: 'public-key',
  response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'MEUC' },
  clientExtensionResults: {},
};

/** A valid payload per method. */
const valid: Record<DesktopMethod, unknown> = {
  getState: undefined,
  signIn: undefined,
  signOut: undefined,
  listTargets: undefined,
  dryRunRequest: request,
  createRequest: { ...request, ticket: 'ML-42' },
  approvalChallenge: { requestId: REQUEST_ID },
  approve: { requestId: REQUEST_ID, assertion },
  activateGrant: { grantId: 'g-1' },
  dropGrant: { grantId: 'g-1' },
  refreshPosture: undefined,
  openWindow: { page: 'posture' },
};

function handlerWith(methods: Partial<IpcMethods> = {}) {
  const calls: string[] = [];
  const log = vi.fn();
  const all = Object.fromEntries(
    DESKTOP_METHODS.map((m) => [
      m,
      methods[m] ??
        (async (payload: unknown) => {
          calls.push(m);
          return { echoed: payload ?? null };
        }),
    ]),
  ) as unknown as IpcMethods;
  return {
    handle: createIpcHandler({ appBase: () => appBaseUrl('http://localhost:7700'), methods: all, log }),
    calls,
    log,
  };
}

describe('ipc channels', () => {
  it('one channel per DesktopApi method, each with a schema', () => {
    expect(Object.keys(ipcPayloadSchemas).sort()).toEqual([...DESKTOP_METHODS].sort());
    expect([...ipcChannels.keys()].sort()).toEqual(DESKTOP_METHODS.map(channelOf).sort());
  });

  it('every method accepts its valid payload', () => {
    for (const method of DESKTOP_METHODS)
      expect(parseIpc(channelOf(method), valid[method]), method).toMatchObject({ ok: true, method });
  });

  it('malformed payloads are refused: unknown fields, wrong types, missing fields, extras on no-payload channels, oversize', () => {
    const bad: Array<[DesktopMethod, unknown]> = [
      ['getState', { sneaky: true }],
      ['signIn', 'now'],
      ['dryRunRequest', { ...request, dryRun: false }],
      ['createRequest', { ...request, approver: 'me' }],
      ['createRequest', { ...request, durationMinutes: '30' }],
      ['createRequest', { ...request, durationMinutes: 24 * 60 + 1 }],
      ['createRequest', { ...request, reason: 'x'.repeat(2001) }],
      ['createRequest', { ...request, target: { type: 'role; drop', id: 'x' } }],
      ['createRequest', { target: request.target }],
      [
        'createRequest',
        JSON.parse(
          '{"__proto__": {"admin": true}, "target": {"type":"Role","id":"x"}, "durationMinutes": 5, "reason": "because"}',
        ),
      ],
      ['approvalChallenge', { requestId: 'not-a-uuid' }],
      ['approvalChallenge', { requestId: REQUEST_ID, extra: 1 }],
      ['approve', { requestId: REQUEST_ID, assertion: { ...assertion, type: 'password' } }],
      [
        'approve',
        {
          requestId: REQUEST_ID,
          assertion: { ...assertion, response: { ...assertion.response, signature: 'x'.repeat(5000) } },
        },
      ],
      ['approve', { requestId: REQUEST_ID }],
      ['activateGrant', { grantId: 7 }],
      ['dropGrant', { grantId: '' }],
      ['dropGrant', { grantId: 'g', reason: 'bye' }],
      ['openWindow', { page: 'https://evil.example/' }],
      ['openWindow', { page: 'status', url: 'https://evil.example/' }],
      ['refreshPosture', null],
    ];
    for (const [method, payload] of bad) {
      const parsed = parseIpc(channelOf(method), payload);
      expect(parsed, `${method} ${JSON.stringify(payload)}`).toMatchObject({
        ok: false,
        reason: 'invalid_payload',
      });
    }
    expect(parseIpc('strongroom:eval', 'x')).toMatchObject({ ok: false, reason: 'unknown_channel' });
    expect(parseIpc('getState', undefined)).toMatchObject({ ok: false, reason: 'unknown_channel' });
  });
});

describe('createIpcHandler', () => {
  it('runs the method for the app’s own page with a valid payload and answers a plain object', async () => {
    const { handle, calls } = handlerWith();
    expect(await handle(channelOf('openWindow'), { page: 'posture' }, APP)).toEqual({
      ok: true,
      value: { echoed: { page: 'posture' } },
    });
    expect(calls).toEqual(['openWindow']);
  });

  it('refuses every sender frame that is not an app page, before parsing or running anything', async () => {
    const { handle, calls, log } = handlerWith();
    for (const sender of [
      undefined,
      '',
      'https://evil.example/_strongroom-desktop/request.html',
      'http://localhost:7700/approve/some-token',
      'http://localhost:7701/_strongroom-desktop/request.html',
      'http://localhost:7700@evil.example/_strongroom-desktop/request.html',
      'file:///usr/lib/strongroom/request.html',
      'about:blank',
      'data:text/html,<p>x</p>',
    ]) {
      const answer = await handle(channelOf('createRequest'), request, sender);
      expect(answer, String(sender)).toEqual({
        ok: false,
        error: { code: 'forbidden_sender', message: 'Only the Strongroom app’s own pages may use this.' },
      });
    }
    expect(calls).toEqual([]);
    expect(log).toHaveBeenCalledWith('warn', expect.stringContaining('not an app page'));
  });

  it('a malformed payload never reaches the method, and the error says what was wrong', async () => {
    const { handle, calls } = handlerWith();
    const answer = await handle(channelOf('createRequest'), { ...request, durationMinutes: -1 }, APP);
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: expect.stringContaining('durationMinutes') },
    });
    expect(await handle('strongroom:nope', undefined, APP)).toMatchObject({
      ok: false,
      error: { code: 'unknown_channel' },
    });
    expect(calls).toEqual([]);
  });

  it('errors cross as plain objects: the client core’s code and hint, or a generic internal error without details', async () => {
    const { handle } = handlerWith({
      signIn: async () => {
        throw new StrongroomError('keychain_locked', 'The keychain is locked.', { hint: 'Unlock it.' });
      },
      listTargets: async () => {
        throw new Error('ECONNRESET at /home/alice/secret/path with token abc');
      },
    });
    const signIn = await handle(channelOf('signIn'), undefined, APP);
    expect(signIn).toEqual({
      ok: false,
      error: { code: 'keychain_locked', message: 'The keychain is locked.', hint: 'Unlock it.' },
    });
    const targets = await handle(channelOf('listTargets'), undefined, APP);
    expect(targets).toEqual({
      ok: false,
      error: { code: 'internal', message: 'Something went wrong in the Strongroom app; see its log.' },
    });
    // Plain data: survives structured cloning unchanged (what Electron IPC does).
    expect(structuredClone(targets)).toEqual(targets);
    expect(Object.getPrototypeOf((targets as { error: object }).error)).toBe(Object.prototype);
  });
});
