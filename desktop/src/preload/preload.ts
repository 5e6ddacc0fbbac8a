import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createDesktopApi } from '../api/createDesktopApi.js';
import type { IpcResult } from '../api/DesktopApi.js';

/**
 * The preload: exposes the typed DesktopApi as `window.strongroom` through contextBridge (context
 * isolation: the page never touches ipcRenderer or any Node/Electron object). Only the listener's
 * payload is passed on, never the IPC event (which would leak `sender`). Sandboxed, so bundled to
 * one CommonJS file by buildApp.ts.
 */
const api = createDesktopApi({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<IpcResult<unknown>>,
  on(channel, listener) {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.removeListener(channel, wrapped);
  },
});

contextBridge.exposeInMainWorld('strongroom', api);
