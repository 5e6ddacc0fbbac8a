import { BrowserWindow, ipcMain } from 'electron';
import { STATE_CHANNEL, type DesktopPage, type DesktopState } from '../api/DesktopApi.js';
import { ipcChannels } from '../ipc.js';
import { pageUrl } from './appPages.js';
import type { IpcHandler } from './createIpcHandler.js';
import { windowOptions } from './windowOptions.js';

export interface AppWindows {
  open(page: DesktopPage): void;
  /** Pushes the state to every open window (they redraw; no polling). */
  broadcast(state: DesktopState): void;
}

/**
 * The app's windows: one per page, reused when open. Every window gets windowOptions() (the
 * navigation rules are set on every web contents by main.ts); every IPC channel is registered once, and each message is passed to the
 * one handler with the URL of the frame that sent it (createIpcHandler checks it).
 */
export function createAppWindows(deps: {
  appBase: () => URL;
  preload: string;
  devTools: boolean;
  handler: IpcHandler;
}): AppWindows {
  const windows = new Map<DesktopPage, BrowserWindow>();
  for (const channel of ipcChannels.keys())
    ipcMain.handle(channel, (event, payload: unknown) =>
      deps.handler(channel, payload, event.senderFrame?.url),
    );

  return {
    open(page) {
      const existing = windows.get(page);
      if (existing !== undefined && !existing.isDestroyed()) {
        existing.show();
        existing.focus();
        return;
      }
      const window = new BrowserWindow(windowOptions(page, deps.preload, { devTools: deps.devTools }));
      windows.set(page, window);
      window.once('ready-to-show', () => window.show());
      window.on('closed', () => windows.delete(page));
      void window.loadURL(pageUrl(deps.appBase(), page));
    },
    broadcast(state) {
      for (const window of windows.values())
        if (!window.isDestroyed()) window.webContents.send(STATE_CHANNEL, state);
    },
  };
}
