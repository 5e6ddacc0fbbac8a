import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signedInBenchProfile, sleep, startStrongroomAgent, underKeyring } from './benchAgent.js';
import { intArg, median, percentile } from './benchStats.js';

/**
 * The VS Code extension (issue 7): "Activation (start of activate() to ready): median, goal under
 * 50 ms", and the bundle size, goal under 1 MB. Two activation figures, both from the start of
 * activate():
 *
 * - to commands registered: activate() returns (commands, status bar, views registered; what
 *   VS Code waits for);
 * - to ready: the extension's own `Activated.ready`: the client core (dist/core.js) loaded, the
 *   agent reached and its first state shown (status bar drawn, `strongroom.signedIn` context set).
 *   Observed through the `vscode` stub: the first `setContext strongroom.signedIn` call, which
 *   onState() makes right after drawing the status bar. An error shown instead fails the sample.
 *
 * Ready is measured both ways the extension runs: with the tray's agent (`strongroom agent`,
 * running for the whole bench, signed in with a synthetic session and one active grant from a
 * broker stand-in) reached over its socket, and with the agent in the extension host (setting
 * `strongroom.agent: inProcess`; the same vault and stand-in; this machine's real posture checks).
 *
 * Each sample is a fresh Node process that loads the shipped bundle with a minimal `vscode` module
 * at the edge, calls activate(), waits for ready, prints, and exits.
 *
 * The V8 code cache of core.js and coreFull.js (extension/src/bundleLoader.ts, in the extension's
 * globalStorage, which the stub context passes as a temporary folder): ready is measured warm (the
 * cache written by an earlier start: every start after the first one after an install or update;
 * the headline) and cold (a fresh empty storage folder for each sample: the first start after an
 * install or update); and, as the baseline for both, off (the same build with an empty storage path,
 * so the loader does a plain require(), as before the cache). The warm folder is primed once per
 * build by a start that stays up until the extension has written its cache (a second after ready,
 * as in VS Code); a warm sample that did not use the cache fails the bench.
 *
 * Baseline for activate() in the same run: a bundle that only registers the same eleven commands
 * and one status bar item. Runs under gnome-keyring (re-executes itself in dbus-run-session +
 * test/scripts/with-keyring.sh).
 *
 * `--compare <other dist>`: the same figures for a second build (say, before a bundle change),
 * sampled alternately with the first in the same loops, so both see the same machine load.
 *
 *   node bench/dist/extensionBench.js [--samples 25] [--dist extension/dist] [--compare <dir>] [--trace] [--cpu-prof <dir>]
 *   (--cpu-prof: a V8 CPU profile of each in-process sample, into <dir>)
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const pathArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? resolve(process.argv[i + 1] ?? '') : undefined;
};
const dists = [pathArg('--dist') ?? join(root, 'extension', 'dist')];
const compare = pathArg('--compare');
if (compare !== undefined) dists.push(compare);

// The smallest `vscode` the extension touches, injected through Module._load. argv: bundle, mode
// ('auto' | 'inProcess'), whether to wait for ready, the extension's storage folder, and whether to
// stay up after ready until the extension has written its code cache (priming the warm folder).
const sampler = `
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const { dirname, join } = require('node:path');
const [bundle, mode, waitReady, storage, prime] = process.argv.slice(2);
// The extension's code-cache loader, when the build has one: what it did for core.js and coreFull.js.
const loaderStats = () => {
  try {
    return require(join(dirname(bundle), 'bundleLoader.js')).bundleLoadStats();
  } catch {
    return [];
  }
};
const primed = () => {
  const stats = loaderStats();
  if (stats.length > 0 && stats.some((s) => s.cache !== 'accepted' && !s.written)) return setTimeout(primed, 50);
  done({});
};
let t0 = 0;
let coreStart = 0, coreEnd = 0;
let statusText = '';
const trace = [];
let c1;
const done = (extra) => {
  const stats = loaderStats();
  const loaded = (name) => {
    const s = stats.find((x) => x.bundle === name);
    return s && { ms: s.readMs + s.compileMs + s.runMs, compileMs: s.compileMs, cache: s.cache, at: s.loadedAt - t0 };
  };
  const core = loaded('core');
  process.stdout.write('\\nSAMPLE ' + JSON.stringify({ ...timings, ...extra, core: core ? core.ms : coreEnd - coreStart, coreEnd: core ? core.at : coreEnd - t0, loaded: { core, coreFull: loaded('coreFull') }, statusText, trace }) + '\\n');
  process.exit(0);
};
const timings = {};
const noop = () => ({ dispose() {} });
class EventEmitter { constructor() { this.event = noop; } fire() {} dispose() {} }
class Cls { constructor(...a) { this.a = a; } }
const item = {
  show() {}, hide() {}, dispose() {},
  get text() { return statusText; }, set text(v) { statusText = v; },
};
const failed = async (message) => {
  if (waitReady === '1') done({ error: String(message) });
};
const stub = {
  window: {
    createOutputChannel: () => {
      const line = (m) => trace.push((performance.now() - t0).toFixed(1) + ' ms ' + m);
      return { info: line, warn: line, error: line, debug: line, trace() {}, dispose() {} };
    },
    createStatusBarItem: () => item,
    registerTreeDataProvider: noop,
    onDidCloseTerminal: noop,
    showInformationMessage: async () => undefined,
    showErrorMessage: failed,
    showWarningMessage: async () => undefined,
  },
  commands: {
    registerCommand: noop,
    executeCommand: async (id, key) => {
      if (id === 'setContext' && key === 'strongroom.signedIn' && timings.ready === undefined) {
        timings.ready = performance.now() - t0;
        const c = process.cpuUsage(c1);
        timings.readyCpu = (c.user + c.system) / 1000;
        if (waitReady === '1') setImmediate(() => (prime === '1' ? primed() : done({})));
      }
    },
  },
  workspace: {
    getConfiguration: () => ({
      get: (_k, d) => d,
      inspect: (k) => (k === 'agent' ? { globalValue: mode } : {}),
    }),
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
  if (request === 'vscode') return stub;
  if (request.endsWith('core.js') && coreStart === 0) {
    coreStart = performance.now();
    const m = load.call(this, request, parent, isMain);
    coreEnd = performance.now();
    return m;
  }
  return load.call(this, request, parent, isMain);
};
const tLoad = performance.now();
const ext = require(bundle);
t0 = performance.now();
timings.load = t0 - tLoad;
c1 = process.cpuUsage();
ext.activate({ subscriptions: [], extension: { packageJSON: { version: '0' } }, globalStorageUri: { fsPath: storage } });
const c2 = process.cpuUsage(c1);
timings.registered = performance.now() - t0;
timings.cpu = (c2.user + c2.system) / 1000;
if (waitReady !== '1') done({});
setTimeout(() => done({ error: 'not ready after 60 s' }), 60_000);
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

interface Sample {
  /** require(bundle) */
  load: number;
  /** start of activate() to its return: commands, status bar and views registered */
  registered: number;
  /** CPU time of activate() (user + system): what the machine's load cannot stretch. */
  cpu: number;
  /** start of activate() to the first state shown (Activated.ready) */
  ready?: number;
  /** CPU time (user + system) of the process from the start of activate() to ready */
  readyCpu?: number;
  /** loading core.js inside that (through the code-cache loader, or require('./core.js')) */
  core: number;
  /** What the code-cache loader did (a build with one): load time and cache status per bundle. */
  loaded: Partial<Record<'core' | 'coreFull', { ms: number; compileMs: number; cache: string; at: number }>>;
  /** when require('./core.js') returned, from the start of activate() */
  coreEnd: number;
  statusText: string;
  /** The extension's output channel, with times from the start of activate() (--trace prints it). */
  trace: string[];
  error?: string;
}

async function bench(): Promise<void> {
  for (const dist of dists)
    if (!existsSync(join(dist, 'extension.js')) || !existsSync(join(dist, 'core.js'))) {
      process.stderr.write(
        `Build the extension first (npm run package -w extension): no bundle in ${dist}\n`,
      );
      process.exit(1);
    }
  // Signed in against the stand-in before anything else, so the finally below cleans up all of it.
  const setup = await signedInBenchProfile('xbench');
  const { env } = setup;
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-extension-bench-'));
  const samplerFile = join(dir, 'sample.cjs');
  const baselineFile = join(dir, 'baseline.cjs');
  writeFileSync(samplerFile, sampler);
  writeFileSync(baselineFile, baseline);

  let agent: ChildProcess | undefined;

  // The extension's storage (globalStorageUri): one warm folder per build, primed below; cold
  // samples get a fresh empty one each.
  const warmStorage = dists.map((_d, i) => join(dir, `storage-warm-${String(i)}`));
  let coldCount = 0;
  type Cache = 'warm' | 'cold' | 'prime' | 'off';
  const sample = (
    bundle: string,
    mode: 'auto' | 'inProcess',
    waitReady: boolean,
    storage: string,
    cache: Cache,
  ): Sample => {
    const profileDir = pathArg('--cpu-prof');
    const prof =
      profileDir !== undefined && mode === 'inProcess' && cache === 'warm'
        ? ['--cpu-prof', '--cpu-prof-dir', profileDir]
        : [];
    const run = spawnSync(
      process.execPath,
      [...prof, samplerFile, bundle, mode, waitReady ? '1' : '0', storage, cache === 'prime' ? '1' : '0'],
      { encoding: 'utf8', env },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith('SAMPLE '));
    if (run.status !== 0 || line === undefined) throw new Error(`sample failed: ${run.stderr}`);
    const parsed = JSON.parse(line.slice('SAMPLE '.length)) as Sample;
    if (parsed.error !== undefined) throw new Error(`sample (${mode}) showed an error: ${parsed.error}`);
    // A warm sample that compiled from source measured a cold start: fail rather than average it in.
    for (const [name, l] of Object.entries(parsed.loaded ?? {}))
      if (
        l !== undefined &&
        (cache === 'warm' || cache === 'off') &&
        l.cache !== (cache === 'warm' ? 'accepted' : 'off')
      )
        throw new Error(`${cache} sample (${mode}): ${name}.js loaded with code cache status ${l.cache}`);
    return parsed;
  };
  const warm = (d: number, mode: 'auto' | 'inProcess'): Sample =>
    sample(join(dists[d] ?? '', 'extension.js'), mode, true, warmStorage[d] ?? '', 'warm');
  const off = (d: number, mode: 'auto' | 'inProcess'): Sample =>
    sample(join(dists[d] ?? '', 'extension.js'), mode, true, '', 'off');
  const cold = (d: number, mode: 'auto' | 'inProcess'): Sample => {
    const storage = join(dir, `storage-cold-${String(coldCount++)}`);
    try {
      return sample(join(dists[d] ?? '', 'extension.js'), mode, true, storage, 'cold');
    } finally {
      rmSync(storage, { recursive: true, force: true });
    }
  };

  try {
    const samples = intArg('--samples', 25);
    const base: Sample[] = [];
    const inProcess = dists.map((): Sample[] => []);
    const socket = dists.map((): Sample[] => []);
    const inProcessCold = dists.map((): Sample[] => []);
    const socketCold = dists.map((): Sample[] => []);
    const inProcessOff = dists.map((): Sample[] => []);
    const socketOff = dists.map((): Sample[] => []);
    const loads: number[] = [];
    // No agent yet: the extension runs its own (the same vault, the stand-in, real posture checks).
    // The first start of each build primes its warm storage (and the file cache).
    dists.forEach((dist, d) =>
      sample(join(dist, 'extension.js'), 'inProcess', true, warmStorage[d] ?? '', 'prime'),
    );
    for (let i = 0; i < samples; i++) {
      dists.forEach((_dist, d) => {
        inProcess[d]?.push(warm(d, 'inProcess'));
        inProcessCold[d]?.push(cold(d, 'inProcess'));
        inProcessOff[d]?.push(off(d, 'inProcess'));
      });
      base.push(sample(baselineFile, 'auto', false, join(dir, 'unused'), 'cold'));
      loads.push(loadavg()[0] ?? 0);
    }

    // The tray's agent: `strongroom agent`, signed in, its first refresh done.
    agent = await startStrongroomAgent(env);
    await sleep(2000); // its first posture run and refresh: the bench measures the extension
    dists.forEach((_dist, d) => warm(d, 'auto'));
    for (let i = 0; i < samples; i++) {
      dists.forEach((_dist, d) => {
        socket[d]?.push(warm(d, 'auto'));
        socketCold[d]?.push(cold(d, 'auto'));
        socketOff[d]?.push(off(d, 'auto'));
      });
      loads.push(loadavg()[0] ?? 0);
    }

    const f = (v: number) => v.toFixed(1);
    const stats = (values: number[]) => `median ${f(median(values))} ms, p90 ${f(percentile(values, 90))} ms`;
    const ready = (list: Sample[]) => list.map((s) => s.ready ?? Number.NaN);
    const readyCpu = (list: Sample[]) => f(median(list.map((s) => s.readyCpu ?? Number.NaN)));
    const goal = (v: number) => (v < 50 ? 'met' : 'NOT met');
    console.log(
      `load average (1 min) during the samples: ${f(Math.min(...loads))} to ${f(Math.max(...loads))} (median ${f(median(loads))}); ${String(samples)} fresh processes per figure${dists.length > 1 ? ', the two builds alternately' : ''}`,
    );
    console.log(
      `baseline (11 commands + a status bar item): activate() ${f(median(base.map((s) => s.registered)))} ms`,
    );
    dists.forEach((dist, d) => {
      const sock = socket[d] ?? [];
      const own = inProcess[d] ?? [];
      const sockCold = socketCold[d] ?? [];
      const ownCold = inProcessCold[d] ?? [];
      const sockOff = socketOff[d] ?? [];
      const ownOff = inProcessOff[d] ?? [];
      const ratio = (a: Sample[], b: Sample[]) => `${(median(ready(a)) / median(ready(b))).toFixed(2)}x`;
      const loadedMs = (list: Sample[], name: 'core' | 'coreFull', what: 'ms' | 'compileMs') => {
        const values = list.flatMap((s) => {
          const l = s.loaded[name];
          return l === undefined ? [] : [l[what]];
        });
        return values.length === 0 ? 'n/a' : `${f(median(values))} ms`;
      };
      const cached = own[0]?.loaded.core !== undefined;
      const warmly = cached ? ', warm code cache' : ' (a build without a code cache)';
      const cacheNote = (list: Sample[]) =>
        list[0]?.loaded.core === undefined
          ? 'this build has no code cache'
          : `core.js loaded in ${loadedMs(list, 'core', 'ms')}${list[0].loaded.coreFull === undefined ? '' : `, coreFull.js in ${loadedMs(list, 'coreFull', 'ms')} (compile ${loadedMs(list, 'coreFull', 'compileMs')})`}`;
      const registered = [...sock, ...own].map((s) => s.registered);
      const jsFiles = readdirSync(dist).filter((n) => n.endsWith('.js'));
      const kib = (file: string) => statSync(join(dist, file)).size / 1024;
      const total = jsFiles.reduce((sum, n) => sum + kib(n), 0);
      console.log(`\n${dist}:`);
      console.log(
        `  activate() to commands registered: ${stats(registered)} (goal median < 50 ms: ${goal(median(registered))}); activate() CPU ${f(median([...sock, ...own].map((s) => s.cpu)))} ms; require(extension.js) before it ${f(median(sock.map((s) => s.load)))} ms`,
      );
      /** One mode's figures: warm (the headline), cold and off, sampled in the same loops. */
      const reportMode = (
        label: string,
        warm: Sample[],
        cold: Sample[],
        off: Sample[],
        offDetail: (list: Sample[]) => string,
      ): void => {
        console.log(
          `  activate() to ready, ${label}${warmly}: ${stats(ready(warm))} (goal median < 50 ms: ${goal(median(ready(warm)))}); CPU ${readyCpu(warm)} ms; of which core.js ${f(median(warm.map((s) => s.core)))} ms; status bar "${warm[0]?.statusText ?? ''}"`,
        );
        console.log(
          cached
            ? `    cold (first start after an install or update, empty cache): ${stats(ready(cold))}; CPU ${readyCpu(cold)} ms; ${cacheNote(cold)}; warm: ${cacheNote(warm)}`
            : `    again, a fresh storage folder each: ${stats(ready(cold))}; CPU ${readyCpu(cold)} ms`,
        );
        if (cached)
          console.log(
            `    without the code cache (same build, plain require()): ${stats(ready(off))}; CPU ${readyCpu(off)} ms; ${offDetail(off)}warm/off ${ratio(warm, off)}, cold/off ${ratio(cold, off)}`,
          );
      };
      reportMode('tray agent over its socket', sock, sockCold, sockOff, () => '');
      reportMode(
        'agent in the extension host',
        own,
        ownCold,
        ownOff,
        (list) =>
          `of which core.js ${f(median(list.map((s) => s.core)))} ms, coreFull.js ${loadedMs(list, 'coreFull', 'ms')}; `,
      );
      if (process.argv.includes('--trace'))
        for (const [name, list] of [
          ['socket', sock],
          ['in-process', own],
        ] as const)
          console.log(
            `  first ${name} sample: core.js loaded by ${f(list[0]?.coreEnd ?? 0)} ms${list[0]?.loaded.coreFull === undefined ? '' : `, coreFull.js by ${f(list[0].loaded.coreFull.at)} ms`}; ready ${f(list[0]?.ready ?? 0)} ms; log:\n    ${(list[0]?.trace ?? []).join('\n    ')}`,
          );
      console.log(
        `  bundle: ${jsFiles.map((n) => `${n} ${kib(n).toFixed(1)} KiB`).join(' + ')} = ${total.toFixed(1)} KiB (goal < 1 MB: ${total * 1024 < 1_000_000 ? 'met' : 'NOT met'}); the .vsix also carries the keychain's native binary`,
      );
    });
  } finally {
    agent?.kill('SIGTERM');
    await setup.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await underKeyring(import.meta.url, bench);
