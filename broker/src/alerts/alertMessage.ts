import type { WebhookMessage } from './WebhookOutbox.js';

const icon: Record<string, string> = {
  critical: ':rotating_light:',
  high: ':warning:',
  medium: ':large_yellow_circle:',
  low: ':information_source:',
};

/**
 * The Slack-compatible webhook message of an alert: `text` (every receiver, Slack's fallback) and
 * `blocks` (Slack Block Kit: a section with the summary and a context line). No secrets: ids,
 * e-mail, detector facts.
 */
export function alertMessage(alert: {
  id: string;
  detector: string;
  severity: string;
  action: string;
  userId: string | null;
  userEmail: string | null;
  deviceId: string | null;
  summary: string;
  lockId: string | null;
  lockSkipped: string | null;
  data: Record<string, unknown>;
}): WebhookMessage {
  const who = alert.userEmail ?? alert.userId ?? 'unknown principal';
  const locked =
    alert.lockId !== null
      ? ` ${alert.action === 'lock-device' ? 'Device' : 'Account'} LOCKED automatically; unlocking needs another admin's key touch.`
      : alert.lockSkipped !== null
        ? ` Not locked: ${alert.lockSkipped}.`
        : '';
  const text =
    `${icon[alert.severity] ?? ''} Strongroom ${alert.severity.toUpperCase()} alert (${alert.detector}) for ${who}: ${alert.summary}.${locked}`.trim();
  return {
    event: 'alert.raised',
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `alert ${alert.id} · action ${alert.action}${alert.deviceId ? ` · device ${alert.deviceId}` : ''}`,
          },
        ],
      },
    ],
    data: {
      alertId: alert.id,
      detector: alert.detector,
      severity: alert.severity,
      action: alert.action,
      principal: alert.userId,
      email: alert.userEmail,
      deviceId: alert.deviceId,
      lockId: alert.lockId,
      facts: alert.data,
    },
  };
}
