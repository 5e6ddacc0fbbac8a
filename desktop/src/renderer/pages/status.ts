import type { DesktopState } from '../../api/DesktopApi.js';
import { desktopApi, describeError, followState } from '../desktopApi.js';
import { byId, clock, h, relative, say } from '../dom.js';

/** Sign-in status: who, how (amr/acr), until when, this device's key, the broker connection. */
const api = desktopApi();

function row(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function render(state: DesktopState): void {
  const root = byId('summary');
  const actions = byId('actions');
  root.replaceChildren();
  actions.replaceChildren();
  const { session, locked, now } = state;
  if (locked !== null) {
    root.append(
      h(
        'div',
        { class: 'banner banner-critical', role: 'alert', 'data-testid': 'locked' },
        h('strong', {}, 'Locked. '),
        `${locked.reason}. Everything this device held was wiped (${relative(locked.at, now)}).`,
      ),
    );
  }
  if (session.status === 'signedIn') {
    root.append(
      h(
        'dl',
        { 'data-testid': 'session' },
        ...row('Signed in as', session.user.email ?? session.user.name ?? session.user.subject),
        ...row('How', `${session.amr.join(', ')} (${session.acr})`),
        ...row('Signed in', clock(session.authTime)),
        ...row(
          'Session ends',
          `${clock(session.sessionEndsAt)} (${relative(session.sessionEndsAt, now)})${session.sessionEndSource === 'assumed' ? ', assumed' : ''}`,
        ),
        ...row('Broker', session.broker),
        ...row(
          'Device key',
          `${session.deviceKey.protection}, ${session.deviceKey.thumbprint.slice(0, 16)}…`,
        ),
        ...row('Live updates', state.connected ? 'connected' : 'not connected'),
      ),
    );
    actions.append(
      button('Request access…', 'open-request', () => api.openWindow({ page: 'request' })),
      button(`Approvals (${state.toApprove.length})…`, 'open-approvals', () =>
        api.openWindow({ page: 'approvals' }),
      ),
      button('Posture report…', 'open-posture', () => api.openWindow({ page: 'posture' })),
      button('Sign out', 'sign-out', async () => render(await api.signOut())),
    );
  } else {
    root.append(h('p', { 'data-testid': 'session' }, 'You are signed out.'));
    actions.append(
      button('Sign in with your security key…', 'sign-in', async () => {
        say('Continue in your browser: touch your security key there.', 'busy');
        render(await api.signIn());
      }),
    );
  }
}

function button(label: string, testId: string, run: () => Promise<unknown>): HTMLButtonElement {
  const b = h('button', { type: 'button', 'data-testid': testId }, label);
  b.addEventListener('click', () => {
    b.disabled = true;
    run()
      .then(() => say('', 'idle'))
      .catch((error: unknown) => say(describeError(error), 'error'))
      .finally(() => (b.disabled = false));
  });
  return b;
}

followState(render);
