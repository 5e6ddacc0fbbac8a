import { statusBarModel } from '@strongroom/shared/access/statusBarModel.js';
import type { AgentState } from '@strongroom/shared/agent/AgentState.js';
import type { VscodeApi, vscode } from './VscodeApi.js';

const CODICON = {
  signedOut: '$(key)',
  locked: '$(lock)',
  signedIn: '$(shield)',
  elevated: '$(shield)',
  approved: '$(unlock)',
  warning: '$(warning)',
} as const;

/** The status bar entry: signed-in state, the live countdown, warnings; a click opens the actions. */
export class StatusBar {
  readonly item: vscode.StatusBarItem;
  readonly #vscode: VscodeApi;

  constructor(vscodeApi: VscodeApi) {
    this.#vscode = vscodeApi;
    this.item = vscodeApi.window.createStatusBarItem(
      'strongroom.status',
      vscodeApi.StatusBarAlignment.Left,
      10,
    );
    this.item.name = 'Strongroom';
    this.item.command = 'strongroom.statusBarMenu';
    this.item.text = '$(shield) Strongroom';
    this.item.tooltip = 'Strongroom: loading…';
    this.item.show();
  }

  render(state: AgentState, now: number, showCountdown: boolean): void {
    const model = statusBarModel(state, now, showCountdown);
    this.item.text = `${CODICON[model.icon]} ${model.text}`;
    this.item.tooltip = model.tooltip;
    this.item.backgroundColor =
      model.severity === 'error'
        ? new this.#vscode.ThemeColor('statusBarItem.errorBackground')
        : model.severity === 'warning'
          ? new this.#vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  }

  problem(message: string): void {
    this.item.text = '$(error) Strongroom';
    this.item.tooltip = message;
    this.item.backgroundColor = new this.#vscode.ThemeColor('statusBarItem.errorBackground');
  }
}
