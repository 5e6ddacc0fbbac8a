import * as vscode from 'vscode';
import { activateStrongroom, type Activated } from './activateStrongroom.js';

let activated: Activated | undefined;

/** VS Code's entry point (the bundle's only `vscode` import; everything else gets it passed in). */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  // core.js and coreFull.js are compiled with a V8 code cache kept in this extension's own storage
  // (see bundleLoader.ts), written only after the first state is shown (below). The loader is
  // loaded with the core, after activate() has returned.
  const storage = context.globalStorageUri.fsPath;
  let loader: Promise<typeof import('./bundleLoader.js')> | undefined;
  const codeCache = (): Promise<typeof import('./bundleLoader.js')> =>
    (loader ??= import('./bundleLoader.js').then((m) => {
      m.configureCodeCache(storage, (message) => console.warn(`[strongroom] ${message}`));
      return m;
    }));
  const current = activateStrongroom(vscode, context, {
    // In the bundle: bundleLoader.js's loadBundle(core.js) (scripts/bundle.mjs, throughCodeCache).
    loadCore: async () => {
      await codeCache();
      return import('./core.js');
    },
    env: process.env,
    platform: process.platform,
    version: String((context.extension.packageJSON as { version?: unknown }).version ?? 'unknown'),
  });
  activated = current;
  // Logged for the benchmark and support; no secret involved.
  console.log(
    `[strongroom] activate() to commands registered: ${(performance.now() - started).toFixed(2)} ms`,
  );
  void current.ready.then((port) => {
    console.log(
      `[strongroom] activate() to ready (core loaded, first state shown${port === undefined ? '; failed, error shown' : ''}): ${(performance.now() - started).toFixed(2)} ms`,
    );
    // (A loader that failed to load failed the core too, and that error is shown.)
    void codeCache().then(
      (m) => m.scheduleCodeCacheWrite(),
      () => undefined,
    );
  });
}

export function deactivate(): void {
  activated?.dispose();
  activated = undefined;
}
