import * as vscode from 'vscode';
import { activateStrongroom, type Activated } from './activateStrongroom.js';
import { configureCodeCache, scheduleCodeCacheWrite } from './bundleLoader.js';

let activated: Activated | undefined;

/** VS Code's entry point (the bundle's only `vscode` import; everything else gets it passed in). */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  // core.js and coreFull.js are compiled with a V8 code cache kept in this extension's own storage
  // (see bundleLoader.ts); written only after the first state is shown, below.
  configureCodeCache(context.globalStorageUri.fsPath, (m) => console.warn(`[strongroom] ${m}`));
  const current = activateStrongroom(vscode, context, {
    // In the bundle: bundleLoader.js's loadBundle(core.js) (scripts/bundle.mjs, throughCodeCache).
    loadCore: () => import('./core.js'),
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
    scheduleCodeCacheWrite();
  });
}

export function deactivate(): void {
  activated?.dispose();
  activated = undefined;
}
