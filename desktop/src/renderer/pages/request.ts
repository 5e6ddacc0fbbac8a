import type { TargetView } from '@strongroom/shared/protocol/jitApi.js';
import type { DesktopAccessRequest } from '../../api/DesktopApi.js';
import { desktopApi, describeError } from '../desktopApi.js';
import { byId, h, say } from '../dom.js';

/**
 * Request form: target, duration, reason, ticket. "Check" asks the broker for a dry run ("would
 * this be allowed, and who must approve?"); the request can be sent only once the answer for
 * exactly these values is shown and says yes. Any edit withdraws the answer.
 */
const api = desktopApi();
const form = byId<HTMLFormElement>('request-form');
const target = byId<HTMLSelectElement>('target');
const duration = byId<HTMLInputElement>('duration');
const reason = byId<HTMLTextAreaElement>('reason');
const ticket = byId<HTMLInputElement>('ticket');
const answer = byId('dry-run');
const submit = byId<HTMLButtonElement>('submit');
const check = byId<HTMLButtonElement>('check');
const targets = new Map<string, TargetView>();
let checked: string | undefined;

function current(): DesktopAccessRequest | undefined {
  const t = targets.get(target.value);
  if (t === undefined) return undefined;
  const request: DesktopAccessRequest = {
    target: { type: t.type, id: t.id },
    durationMinutes: Number(duration.value),
    reason: reason.value.trim(),
  };
  if (ticket.value.trim() !== '') request.ticket = ticket.value.trim();
  return request;
}

function withdraw(): void {
  checked = undefined;
  submit.disabled = true;
  answer.replaceChildren(h('p', {}, 'Check the request to see whether it would be allowed.'));
  const t = targets.get(target.value);
  if (t !== undefined) duration.max = String(t.maxDurationMinutes);
}

async function load(): Promise<void> {
  const list = await api.listTargets();
  targets.clear();
  target.replaceChildren();
  for (const t of list.targets) {
    const key = `${t.type}::${t.id}`;
    targets.set(key, t);
    const approvals =
      t.approvalsRequired === 0
        ? 'no approval'
        : `${t.approvalsRequired} approval${t.approvalsRequired > 1 ? 's' : ''}`;
    target.append(
      h('option', { value: key }, `${t.id} (${t.tier}, up to ${t.maxDurationMinutes} min, ${approvals})`),
    );
  }
  reason.minLength = list.requestRules.minReasonLength;
  byId('reason-hint').textContent =
    `At least ${list.requestRules.minReasonLength} characters: what you will do and why.`;
  if (list.requestRules.ticketPattern !== undefined) {
    ticket.pattern = list.requestRules.ticketPattern;
    byId('ticket-hint').textContent = `Optional. Format: ${list.requestRules.ticketPattern}`;
  }
  withdraw();
}

for (const input of [target, duration, reason, ticket]) input.addEventListener('input', withdraw);

check.addEventListener('click', () => {
  const request = current();
  if (request === undefined || !form.reportValidity()) return;
  check.disabled = true;
  say('Asking the broker…', 'busy');
  api
    .dryRunRequest(request)
    .then((dry) => {
      answer.replaceChildren(
        h(
          'p',
          {
            class: dry.allowed ? 'verdict verdict-pass' : 'verdict verdict-fail',
            'data-testid': 'dry-run-verdict',
          },
          dry.allowed ? 'Would be allowed.' : 'Would be denied.',
        ),
        dry.allowed
          ? h(
              'p',
              {},
              dry.approvalsRequired === 0
                ? 'No approval needed.'
                : `Needs ${dry.approvalsRequired} approval${dry.approvalsRequired > 1 ? 's' : ''} by distinct approvers.`,
              ` At most ${dry.maxDurationMinutes} min.`,
              dry.emergency ? ' Emergency access: loudly alerted and reviewed afterwards.' : '',
            )
          : h('ul', { 'data-testid': 'dry-run-reasons' }, ...dry.reasons.map((r) => h('li', {}, r))),
      );
      checked = dry.allowed ? JSON.stringify(request) : undefined;
      submit.disabled = !dry.allowed;
      say(
        dry.allowed ? 'Checked: you can send this request.' : 'Checked: this request would be denied.',
        'done',
      );
    })
    .catch((error: unknown) => say(describeError(error), 'error'))
    .finally(() => (check.disabled = false));
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const request = current();
  if (request === undefined || checked !== JSON.stringify(request)) return withdraw();
  submit.disabled = true;
  say('Sending…', 'busy');
  api
    .createRequest(request)
    .then(({ request: created }) => {
      byId('result').replaceChildren(
        h(
          'p',
          { 'data-testid': 'created', 'data-request-id': created.id },
          `Request sent (${created.status}). `,
          created.approvalsRequired > 0
            ? `It waits for ${created.approvalsRequired} approval${created.approvalsRequired > 1 ? 's' : ''}; you will be notified.`
            : 'No approval needed.',
        ),
      );
      checked = undefined;
      say('Request sent.', 'done');
    })
    .catch((error: unknown) => {
      say(describeError(error), 'error');
      submit.disabled = false;
    });
});

load()
  .then(() => say('', 'idle'))
  .catch((error: unknown) => say(describeError(error), 'error'));
