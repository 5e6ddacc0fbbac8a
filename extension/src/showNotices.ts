import type { Notice, NoticeAction } from '@strongroom/shared/access/NotificationPlanner.js';
import type { VscodeApi } from './VscodeApi.js';

const LABEL: Record<NoticeAction['kind'], string> = {
  activate: 'Activate',
  extend: 'Extend…',
  showAccess: 'Show My Access',
  review: 'Review',
  signIn: 'Sign In',
  posture: 'Show Posture',
};

/** Runs the command behind a notice's button (Extend pre-fills a new request). */
function commandFor(action: NoticeAction): [string, ...unknown[]] {
  switch (action.kind) {
    case 'activate':
      return ['strongroom.activateGrant', action.grantId];
    case 'extend':
      return ['strongroom.requestAccess', { target: action.target, durationMinutes: action.durationMinutes }];
    case 'showAccess':
      return ['strongroom.showAccess'];
    case 'review':
      return ['strongroom.reviewRequests'];
    case 'signIn':
      return ['strongroom.signIn'];
    case 'posture':
      return ['strongroom.checkPosture'];
  }
}

/** Shows the planner's notices (already coalesced) as VS Code notifications with their buttons. */
export function showNotices(vscode: VscodeApi, notices: readonly Notice[]): void {
  for (const notice of notices) {
    const show =
      notice.severity === 'error'
        ? vscode.window.showErrorMessage
        : notice.severity === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    const labels = notice.actions.map((a) => LABEL[a.kind]);
    void Promise.resolve(show(notice.message, ...labels)).then(async (choice) => {
      const action = notice.actions.find((a) => LABEL[a.kind] === choice);
      if (action !== undefined) await vscode.commands.executeCommand(...commandFor(action));
    });
  }
}
