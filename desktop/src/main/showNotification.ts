import { Notification } from 'electron';
import type { AgentNotification, AgentNotificationAction } from '@strongroom/shared/agent/AgentNotifier.js';

const LABELS: Readonly<Record<AgentNotificationAction['kind'], string>> = {
  activate: 'Activate',
  extend: 'Extend…',
  review: 'Review…',
  signIn: 'Sign in…',
  showPosture: 'Show fixes…',
};

/**
 * The agent's notifications as OS notifications. Buttons where the platform has them (macOS);
 * elsewhere a click runs the first action. Never carries a secret (the agent's contract).
 */
export function showNotification(
  notification: AgentNotification,
  run: (action: AgentNotificationAction) => void,
): void {
  if (!Notification.isSupported()) return;
  const shown = new Notification({
    title: notification.title,
    body: notification.body,
    urgency: notification.severity === 'critical' ? 'critical' : 'normal',
    actions: notification.actions.map((a) => ({ type: 'button', text: LABELS[a.kind] })),
  });
  shown.on('action', (_event, index) => {
    const action = notification.actions[index];
    if (action !== undefined) run(action);
  });
  shown.on('click', () => {
    const action = notification.actions[0];
    if (action !== undefined) run(action);
  });
  shown.show();
}
