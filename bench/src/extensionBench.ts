import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intArg, median, percentile } from './benchStats.js';

/**
 * The VS Code extension (issue 7): activation (start of activate() to ready: commands, status bar
 * and views registered) median, goal < 50 ms; bundle size, goal < 1 MB. Each sample is a fresh Node
 * process that loads the shipped bundle (extension/dist/extension.js, `npm run package -w
 * extension` first) with a minimal `vscode` module at the edge, times require() and activate(),
 * prints, and exits (the client core then loads in the background in VS Code; here the process
 * ends first, so that is timed separately as "core load"). Baseline in the same run: a bundle that
 * only registers the same eleven commands and one status bar item.
 *
 *   node bench/dist/extensionBench.js [--samples 25]
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const extensionJs = join(root, 'extension', 'dist', 'extension.js');
const coreJs = join(root, 'extension', 'dist', 'core.js');
if (!existsSync(extensionJs) || !existsSync(coreJs)) {
  process.stderr.write('Build the extension first: npm run package -w extension\n');
  process.exit(1);
}

// The smallest `vscode` the extension's activate() touches, injected through Module._load.
const sampler = `
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const noop = () => ({ dispose() {} });
class EventEmitter { constructor() { this.event = noop; } fire() {} dispose() {} }
class Cls { constructor(...a) { this.a = a; } }
const stub = {
  window: {
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, debug() {}, trace() {}, dispose() {} }),
    createStatusBarItem: () => ({ show() {}, dispose() {} }),
    registerTreeDataProvider: noop,
    onDidCloseTerminal: noop,
    showInformationMessage: async () => undefined,
    showErrorMessage: async () => undefined,
    showWarningMessage: async () => undefined,
  },
  commands: { registerCommand: noop, executeCommand: async () => undefined },
  workspace: {
    getConfiguration: () => ({ get: (_k, d) => d, inspect: () => ({}) }),
    onDidChangeConfiguration: noop,
  },
  env: { openExternal: async () => true },
  Uri: { parse: (v) => ({ toString: () => v }) },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ThemeColor: Cls, ThemeIcon: Cls, TreeItem: Cls, MarkdownString: Cls, EventEmitter,
  TreeItemCollapsibleState: { None: 0 }, ProgressLocation: { Notification: 15 }, QuickPickItemKind: {},
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  return request === 'vscode' ? stub : load.call(this, request, parent, isMain);
};
const t0 = performance.now();
const ext = require(process.argv[2]);
const t1 = performance.now();
const c1 = process.cpuUsage();
if (ext.activate) ext.activate({ subscriptions: [], extension: { packageJSON: { version: '0' } } });
const c2 = process.cpuUsage(c1);
const t2 = performance.now();
const cpu = (c2.user + c2.system) / 1000;
process.stdout.write('\\nSAMPLE ' + JSON.stringify({ load: t1 - t0, activate: t2 - t1, cpu }) + '\\n');
process.exit(0);
`;
const baseline = `
const vscode = require('vscode');
exports.activate = (context) => {
  for (let i = 0; i < 11; i++) context.subscriptions.push(vscode.commands.registerCommand('x.' + i, () => undefined));
  const item = vscode.window.createStatusBarItem('x', vscode.StatusBarAlignment.Left, 10);
  item.text = 'x';
  item.show();
};
`;

const dir = mkdtempSync(join(tmpdir(), 'strongroom-extension-bench-'));
const samplerFile = join(dir, 'sample.cjs');
const baselineFile = join(dir, 'baseline.cjs');
writeFileSync(samplerFile, sampler);
writeFileSync(baselineFile, baseline);

interface Sample {
  load: number;
  activate: number;
  /** CPU time of activate() (user + system): what the machine's load cannot stretch. */
  cpu: number;
}

function sample(bundle: string): Sample {
  const run = spawnSync(process.execPath, [samplerFile, bundle], {
    encoding: 'utf8',
    env: { ...process.env },
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('SAMPLE '));
  if (run.status !== 0 || line === undefined) throw new Error(`sample failed: ${run.stderr}`);
  return JSON.parse(line.slice('SAMPLE '.length)) as Sample;
}

const samples = intArg('--samples', 25);
const ours: Sample[] = [];
const base: Sample[] = [];
const core: number[] = [];
sample(extensionJs); // warm the file cache
for (let i = 0; i < samples; i++) {
  ours.push(sample(extensionJs));
  base.push(sample(baselineFile));
  core.push(sample(coreJs).load);
}
rmSync(dir, { recursive: true, force: true });

const f = (v: number) => v.toFixed(2);
const act = ours.map((s) => s.activate);
const loadAndActivate = ours.map((s) => s.load + s.activate);
const baseAct = base.map((s) => s.activate);
const baseBoth = base.map((s) => s.load + s.activate);
const kb = (file: string) => statSync(file).size / 1024;
const total = kb(extensionJs) + kb(coreJs);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${samples} fresh processes each`,
);
console.log(
  `activate() to ready: median ${f(median(act))} ms, p90 ${f(percentile(act, 90))} ms (goal median < 50 ms: ${median(act) < 50 ? 'met' : 'NOT met'}); baseline ${f(median(baseAct))} ms (${(median(act) / median(baseAct)).toFixed(1)}x)`,
);
console.log(
  `activate() CPU time (user + system): median ${f(median(ours.map((s) => s.cpu)))} ms vs baseline ${f(median(base.map((s) => s.cpu)))} ms`,
);
console.log(
  `require(bundle) + activate(): median ${f(median(loadAndActivate))} ms vs baseline ${f(median(baseBoth))} ms (${(median(loadAndActivate) / median(baseBoth)).toFixed(1)}x)`,
);
console.log(
  `client core (dist/core.js) require, after activation in the background: median ${f(median(core))} ms`,
);
console.log(
  `bundle: extension.js ${kb(extensionJs).toFixed(1)} KiB + core.js ${kb(coreJs).toFixed(1)} KiB = ${total.toFixed(1)} KiB (goal < 1 MB: ${total < 1024 ? 'met' : 'NOT met'}); the .vsix also carries the keychain's native binary`,
);
