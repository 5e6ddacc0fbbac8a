import type { DesktopState } from '../../api/DesktopApi.js';
import { desktopApi, describeError, followState } from '../desktopApi.js';
import { byId, clock, h, relative, say } from '../dom.js';

/**
 * Posture report: the last result, the broker's verdict, and every check of the last run (failing
 * first) with what was seen and its fix. An older agent sends only the checks that did not pass.
 */
const api = desktopApi();
const VERDICT = { pass: 'Passing', fail: 'Failing', unknown: 'Incomplete' } as const;
const RESULT = { pass: 'Pass', fail: 'Fail', unknown: 'Unknown' } as const;

function render(state: DesktopState): void {
  const { posture, now } = state;
  const summary = byId('summary');
  summary.dataset['posture'] = posture.status;
  summary.replaceChildren(
    h('p', { class: `verdict verdict-${posture.status}`, 'data-testid': 'verdict' }, VERDICT[posture.status]),
    h(
      'p',
      {},
      posture.checkedAt === null
        ? 'Not checked yet.'
        : `Checked ${clock(posture.checkedAt)} (${relative(posture.checkedAt, now)}).`,
    ),
    posture.attestation === null
      ? h(
          'p',
          {},
          posture.attestationError === null
            ? 'Not attested to the broker yet.'
            : `Not attested: ${posture.attestationError}`,
        )
      : h(
          'p',
          { 'data-testid': 'attestation' },
          `The broker found this device ${posture.attestation.compliant ? 'compliant' : 'not compliant'} (${relative(posture.attestation.attestedAt, now)}).`,
        ),
  );
  const list = byId('checks');
  list.replaceChildren();
  const checks = posture.checks ?? posture.failing;
  if (checks.length === 0) {
    list.append(h('p', {}, posture.checkedAt === null ? '' : 'Every check passed.'));
    return;
  }
  const table = h(
    'table',
    { 'data-testid': 'posture-checks' },
    h('caption', {}, posture.checks === undefined ? 'Checks that did not pass' : 'Checks'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Check'),
        h('th', { scope: 'col' }, 'Result'),
        h('th', { scope: 'col' }, 'Observed'),
        h('th', { scope: 'col' }, 'How to fix'),
      ),
    ),
    h(
      'tbody',
      {},
      ...checks.map((check) =>
        h(
          'tr',
          { 'data-check': check.id },
          h('th', { scope: 'row' }, check.title),
          h('td', { class: `result-${check.status}` }, RESULT[check.status]),
          h('td', {}, check.observed),
          h('td', {}, check.status === 'pass' ? '' : check.fix),
        ),
      ),
    ),
  );
  list.append(table);
}

const check = byId<HTMLButtonElement>('check-now');
check.addEventListener('click', () => {
  check.disabled = true;
  say('Running the checks and attesting…', 'busy');
  api
    .refreshPosture()
    .then((state) => {
      render(state);
      say(`Checked: ${VERDICT[state.posture.status].toLowerCase()}.`, 'done');
    })
    .catch((error: unknown) => say(describeError(error), 'error'))
    .finally(() => (check.disabled = false));
});

followState(render);
