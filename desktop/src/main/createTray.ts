import { join } from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import type { AgentState } from '@strongroom/shared/agent/AgentState.js';
import { menuModel, type MenuAction, type MenuSettings } from './menuModel.js';
import { menuTemplate } from './menuTemplate.js';
import { trayPresentation } from './trayPresentation.js';

/**
 * The tray icon and its menu, redrawn from the agent's state (and once a minute while a grant is
 * active, so the time left stays true). Everything shown is computed by the pure functions
 * (trayPresentation, menuModel, menuTemplate); this file only hands the result to Electron.
 */
export function createTray(deps: {
  iconDir: string;
  state: () => AgentState;
  settings: () => MenuSettings;
  dispatch: (action: MenuAction) => void;
}): { redraw(): void; destroy(): void } {
  const first = trayPresentation(deps.state(), Date.now());
  const tray = new Tray(nativeImage.createFromPath(join(deps.iconDir, first.icon)));
  let shownIcon = first.icon;
  const redraw = () => {
    const state = deps.state();
    const now = Date.now();
    const p = trayPresentation(state, now);
    if (p.icon !== shownIcon) {
      tray.setImage(nativeImage.createFromPath(join(deps.iconDir, p.icon)));
      shownIcon = p.icon;
    }
    tray.setToolTip(p.tooltip);
    if (process.platform === 'darwin') tray.setTitle(p.title);
    tray.setContextMenu(
      Menu.buildFromTemplate(menuTemplate(menuModel(state, now, deps.settings()), deps.dispatch)),
    );
  };
  const ticker = setInterval(() => {
    if (deps.state().grants.length > 0) redraw();
  }, 60_000);
  redraw();
  return {
    redraw,
    destroy() {
      clearInterval(ticker);
      tray.destroy();
    },
  };
}
