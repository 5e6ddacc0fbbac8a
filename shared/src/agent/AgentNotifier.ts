/**
 * What the agent tells the user in the background, and what the user can do about it. Hosts map
 * this to their own UI: the tray to OS notifications with buttons, the extension to VS Code
 * messages, the headless CLI agent to lines on stderr. Never carries a secret.
 */
export type AgentNotificationAction =
  | { readonly kind: 'activate'; readonly grantId: string }
  | {
      readonly kind: 'extend';
      readonly grantId: string;
      readonly target: { readonly type: string; readonly id: string };
    }
  | { readonly kind: 'review'; readonly requestId: string }
  | { readonly kind: 'signIn' }
  | { readonly kind: 'showPosture' };

export interface AgentNotification {
  /**
   * Coalescing key: notifications with the same key within the agent's window are shown once
   * (`grant:<id>:expiring:10`). Also a host's handle to replace a shown notification.
   */
  readonly key: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly title: string;
  readonly body: string;
  readonly actions: readonly AgentNotificationAction[];
}

export interface AgentNotifier {
  show(notification: AgentNotification): void;
}
