import * as vscode from 'vscode';
import { activateStrongroom, type Activated } from './activateStrongroom.js';

let activated: Activated | undefined;

/** VS Code's entry point (the bundle's only `vscode` import; everything else gets it passed in). */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const current = activateStrongroom(vscode, context, {
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
  void current.ready.then((port) =>
    console.log(
      `[strongroom] activate() to ready (core loaded, first state shown${port === undefined ? '; failed, error shown' : ''}): ${(performance.now() - started).toFixed(2)} ms`,
    ),
  );
}

export function deactivate(): void {
  activated?.dispose();
  activated = undefined;
}
