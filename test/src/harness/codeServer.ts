import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from './startBroker.js';

// test/scripts/codeServerPath.mjs is the one place that knows where the install script puts it.
const paths = (await import(new URL('../../scripts/codeServerPath.mjs', import.meta.url).href)) as {
  codeServerEntry(env?: NodeJS.ProcessEnv): string;
  codeServerInstalled(env?: NodeJS.ProcessEnv): boolean;
};

export const codeServerInstalled = (): boolean => paths.codeServerInstalled();

/** The packaged extension (`npm run package -w extension`), built fresh for the test. */
export function packageExtension(): string {
  const root = join(import.meta.dirname, '..', '..', '..');
  const run = spawnSync('npm', ['run', 'package', '-w', 'extension'], { cwd: root, encoding: 'utf8' });
  const vsix = join(root, 'extension', 'dist', 'strongroom.vsix');
  if (run.status !== 0 || !existsSync(vsix))
    throw new Error(`packaging the extension failed:\n${run.stdout}\n${run.stderr}`);
  return vsix;
}

export interface RunningCodeServer {
  readonly url: string;
  readonly userDataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Real VS Code: code-server 4.100.3 (installed by test/scripts/install-code-server.sh) with the
 * given .vsix installed into a private extensions folder, on 127.0.0.1, no auth, workspace trust
 * off (issue 7's start line). `env` is the extension host's environment (HOME, XDG, D-Bus).
 */
export async function startCodeServer(options: {
  root: string;
  vsix: string;
  env: NodeJS.ProcessEnv;
  settings?: Record<string, unknown>;
}): Promise<RunningCodeServer> {
  const entry = paths.codeServerEntry();
  const extensionsDir = join(options.root, 'extensions');
  const userDataDir = join(options.root, 'user-data');
  const workspace = join(options.root, 'workspace');
  for (const dir of [extensionsDir, join(userDataDir, 'User'), workspace])
    mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'telemetry.telemetryLevel': 'off',
      ...options.settings,
    }),
  );
  const base = ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
  const install = spawnSync(process.execPath, [entry, ...base, '--install-extension', options.vsix], {
    env: options.env,
    encoding: 'utf8',
  });
  if (install.status !== 0)
    throw new Error(`installing the .vsix failed:\n${install.stdout}\n${install.stderr}`);

  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      entry,
      ...base,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      workspace,
    ],
    {
      // code-server rewrites localhost URLs that extensions open (vscode.env.openExternal) to its
      // port proxy (/proxy/<port>/, dropping path and query). The development broker lives on
      // localhost, and its sign-in page must open as itself (WebAuthn is bound to its origin), so
      // the rewrite is off: an empty template makes code-server open the URL unchanged.
      env: { ...options.env, VSCODE_PROXY_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  for (let i = 0; ; i++) {
    if (output.includes('HTTP server listening')) break;
    if (child.exitCode !== null || i > 600) throw new Error(`code-server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    userDataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a command from the command palette (Ctrl+Shift+P), by its title as the palette shows it. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible' });
  await input.press('Enter');
}

/**
 * Answers the open quick input (input box or pick) with text and Enter. With `title`, waits for the
 * step whose title contains it first: the widget stays open between steps, so typing too early would
 * answer the previous one.
 */
export async function answerQuickInput(page: Page, text: string, title?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  if (title !== undefined) await widget.locator('.quick-input-title', { hasText: title }).waitFor();
  const input = widget.locator('input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await input.press('Enter');
}

/** The status bar entry the extension contributes (id `strongroom.status`). */
export function strongroomStatus(page: Page) {
  return page.locator('[id="strongroom.strongroom-vscode.strongroom.status"]');
}
