import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BundleLoadStat } from './bundleLoader.js';

const extensionDir = fileURLToPath(new URL('../', import.meta.url));

/**
 * The code-cache loader as shipped (dist/bundleLoader.js, built by extension/scripts/bundle.mjs),
 * each case in fresh Node processes: real files, real V8 cached data, no mock of vm or fs. The
 * runner stands in for VS Code's extension host: its Module._load hook answers `require('vscode')`
 * with the requiring module's filename, as VS Code's interceptor looks the extension up by it.
 */
const runner = `
const Module = require('node:module');
const [loaderPath, cacheDir, mode, ...bundles] = process.argv.slice(2);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  return request === 'vscode' ? { parent: parent && parent.filename } : load.call(this, request, parent, isMain);
};
const listing = (dir) => { try { return require('node:fs').readdirSync(dir).sort(); } catch (e) { return e.code; } };
const summary = (m) => ({ keys: Object.keys(m).sort(), value: m.value, later: m.later(1), vscodeParent: m.vscodeParent,
  filename: m.filename, dirname: m.dirname, depShared: m.depShared, thisIsExports: m.thisIsExports, version: m.version,
  frame: (() => { try { m.thrower(); } catch (e) { return e.stack.split('\\n')[1].trim(); } })() });
(async () => {
  const out = {};
  if (mode === 'require') {
    out.summaries = bundles.map((b) => summary(require(b)));
  } else {
    const loader = require(loaderPath);
    const warnings = [];
    loader.configureCodeCache(cacheDir === '-' ? undefined : cacheDir, (m) => warnings.push(m));
    const first = loader.loadBundle(bundles[0]);
    out.once = loader.loadBundle(bundles[0]) === first;
    out.summaries = [summary(first)];
    out.afterLoad = listing(cacheDir + '/code-cache');
    out.storageAfterLoad = listing(cacheDir);
    if (mode === 'write') await loader.writeCodeCache();
    if (mode === 'schedule') {
      loader.scheduleCodeCacheWrite(0);
      await new Promise((r) => setTimeout(r, 300));
      out.afterScheduled = listing(cacheDir + '/code-cache');
      // Loaded after the first write: written on its own, a second later.
      out.summaries.push(summary(loader.loadBundle(bundles[1])));
      out.afterSecondLoad = listing(cacheDir + '/code-cache');
      await new Promise((r) => setTimeout(r, 1600));
    }
    out.afterWrite = listing(cacheDir + '/code-cache');
    out.stats = loader.bundleLoadStats();
    out.warnings = warnings;
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

interface RunResult {
  once?: boolean;
  summaries: Array<Record<string, unknown>>;
  afterLoad?: string[] | string;
  storageAfterLoad?: string[] | string;
  afterScheduled?: string[] | string;
  afterSecondLoad?: string[] | string;
  afterWrite?: string[] | string;
  stats: BundleLoadStat[];
  warnings: string[];
}

/** A bundle like esbuild's CommonJS output, with a function compiled only when called. */
const bundleSource = (
  version: string,
  padding = 0,
): string => `"use strict";function thrower(){throw new Error("here")}
const path = require('node:path');
const dep = require('./dep.js');
const vscode = require('vscode');
function later(x) { return x * 2 + dep.value + ${JSON.stringify(version)}.length; }
const self = this;
module.exports = {
  later,
  thrower,
  value: dep.value + 1,
  vscodeParent: vscode.parent,
  filename: __filename,
  dirname: __dirname,
  depShared: dep === require(path.join(__dirname, 'dep.js')),
  thisIsExports: self === module.exports,
  version: ${JSON.stringify(version)},
};
/*${'x'.repeat(padding)}*/
`;

const isRoot = process.getuid?.() === 0;

describe.skipIf(process.platform === 'win32')(
  'bundleLoader: V8 code cache for core.js and coreFull.js',
  () => {
    let work: string;
    let loader: string;
    let bundles: string;
    let bundle: string;
    let other: string;
    let storage: string;
    let cacheDir: string;

    const run = (
      mode: 'load' | 'write' | 'schedule' | 'require',
      files: string[],
      dir = storage,
    ): RunResult => {
      const r = spawnSync(process.execPath, [join(work, 'runner.cjs'), loader, dir, mode, ...files], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] },
        // A load that hangs (a FIFO opened for reading waits for a writer) fails the test instead.
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as RunResult;
    };
    const cacheFiles = (): string[] => readdirSync(cacheDir).sort();
    const stat0 = (r: RunResult): BundleLoadStat => {
      const s = r.stats[0];
      if (s === undefined) throw new Error('no stats');
      return s;
    };

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'strongroom-loader-'));
      const script = (await import(pathToFileURL(join(extensionDir, 'scripts', 'bundle.mjs')).href)) as {
        buildBundleLoader(dist: string): Promise<void>;
      };
      await script.buildBundleLoader(join(work, 'dist'));
      loader = join(work, 'dist', 'bundleLoader.js');
      writeFileSync(join(work, 'runner.cjs'), runner);
    });

    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    beforeEach(() => {
      // Bundles in a folder of their own (not the loader's): their require() resolves from them.
      bundles = mkdtempSync(join(work, 'bundles-'));
      writeFileSync(join(bundles, 'dep.js'), 'module.exports = { value: 41 };');
      bundle = join(bundles, 'coreFull.js');
      writeFileSync(bundle, bundleSource('A'));
      other = join(bundles, 'core.js');
      writeFileSync(other, bundleSource('B'));
      storage = join(mkdtempSync(join(work, 'storage-')), 'globalStorage', 'strongroom.strongroom-vscode');
      cacheDir = join(storage, 'code-cache');
    });

    it('gives the same module.exports as require(), with and without a cache, loaded once per process', () => {
      const required = run('require', [bundle]).summaries[0];
      expect(required).toMatchObject({
        value: 42,
        vscodeParent: bundle, // VS Code's interceptor sees the bundle as the requiring module
        filename: bundle,
        dirname: bundles,
        depShared: true,
        thisIsExports: true,
        version: 'A',
        // Stack traces name the bundle, line and column as require() does (compared below).
        frame: `at Object.thrower (${bundle}:1:39)`,
      });
      const none = run('load', [bundle], '-');
      expect(none.summaries[0]).toEqual(required);
      expect(none.once).toBe(true);
      expect(stat0(none).cache).toBe('off');
      const cold = run('write', [bundle]);
      const warm = run('load', [bundle]);
      expect(stat0(warm).cache).toBe('accepted');
      for (const r of [cold, warm]) {
        expect(r.summaries[0]).toEqual(required);
        expect(r.once).toBe(true);
      }
    });

    it('first start: compiles from source and writes nothing while loading; the write step leaves a 0600 file in a 0700 directory; the next process uses it', () => {
      const cold = run('write', [bundle]);
      expect(stat0(cold)).toMatchObject({ bundle: 'coreFull', cache: 'missing', written: true });
      expect(stat0(cold).cachedDataRejected).toBeUndefined();
      // Nothing on the load path: not even the extension's storage directory was made.
      expect(cold.storageAfterLoad).toBe('ENOENT');
      expect(cold.afterWrite).toEqual([
        expect.stringMatching(/^coreFull\.[0-9a-f]{16}\.[A-Za-z0-9._-]+\.v8cache$/),
      ]);
      expect(cold.warnings).toEqual([]);
      expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
      expect(statSync(storage).mode & 0o077).toBe(0);
      const [file] = cacheFiles();
      expect(statSync(join(cacheDir, file ?? '')).mode & 0o777).toBe(0o600);

      const warm = run('write', [bundle]);
      expect(stat0(warm)).toMatchObject({ cache: 'accepted', cachedDataRejected: false, written: false });
      expect(cacheFiles()).toEqual([file]);
    });

    it('after the first state: scheduleCodeCacheWrite writes what is loaded, and a bundle loaded later on its own', () => {
      const r = run('schedule', [bundle, other]);
      expect(r.afterLoad).toBe('ENOENT');
      expect(r.afterScheduled).toEqual([expect.stringMatching(/^coreFull\./)]);
      expect(r.afterSecondLoad).toEqual([expect.stringMatching(/^coreFull\./)]); // not on its load path
      expect(r.afterWrite).toEqual([expect.stringMatching(/^core\./), expect.stringMatching(/^coreFull\./)]);
      expect(r.summaries.map((s) => s['version'])).toEqual(['A', 'B']);
      expect(r.stats.map((s) => [s.bundle, s.written])).toEqual([
        ['coreFull', true],
        ['core', true],
      ]);
    });

    it.each([
      ['truncated', (f: string) => truncateSync(f, Math.floor(statSync(f).size / 2))],
      ['overwritten with other bytes', (f: string) => writeFileSync(f, randomBytes(statSync(f).size))],
      [
        'one byte of its data flipped',
        (f: string) => {
          const b = readFileSync(f);
          const i = Math.floor(b.length * 0.75);
          b[i] = (b[i] ?? 0) ^ 0xff;
          writeFileSync(f, b);
        },
      ],
    ])('a cache file %s: not given to V8, loads from source, and is replaced', (_name, damage) => {
      run('write', [bundle]);
      const [file] = cacheFiles();
      const path = join(cacheDir, file ?? '');
      damage(path);
      const damaged = readFileSync(path);
      const r = run('write', [bundle]);
      expect(r.summaries[0]).toMatchObject({ value: 42, later: 44, version: 'A' });
      expect(stat0(r)).toMatchObject({
        cache: 'invalid',
        reason: expect.any(String) as string,
        written: true,
      });
      expect(cacheFiles()).toEqual([file]);
      expect(readFileSync(path).equals(damaged)).toBe(false);
      expect(stat0(run('load', [bundle]))).toMatchObject({ cache: 'accepted', cachedDataRejected: false });
    });

    it('data V8 refuses (made for another source, under this name): cachedDataRejected, compiled from source, replaced', () => {
      run('write', [bundle]);
      const [mine] = cacheFiles();
      // The other source's file (its own checksum is right) copied over this bundle's name.
      const foreignDir = mkdtempSync(join(work, 'storage-'));
      const foreign = join(bundles, 'foreign');
      mkdirSync(foreign);
      writeFileSync(join(foreign, 'dep.js'), 'module.exports = { value: 1 };');
      writeFileSync(join(foreign, 'coreFull.js'), bundleSource('a different, longer source'));
      run('write', [join(foreign, 'coreFull.js')], foreignDir);
      const [theirs] = readdirSync(join(foreignDir, 'code-cache'));
      copyFileSync(join(foreignDir, 'code-cache', theirs ?? ''), join(cacheDir, mine ?? ''));

      const r = run('write', [bundle]);
      expect(stat0(r)).toMatchObject({ cache: 'rejected', cachedDataRejected: true, written: true });
      expect(r.summaries[0]).toMatchObject({ value: 42, version: 'A' });
      expect(stat0(run('load', [bundle]))).toMatchObject({ cache: 'accepted', cachedDataRejected: false });
    });

    it('a changed source (a new extension version) gets a new key, and the old file is removed when the new one is written', () => {
      run('write', [bundle]);
      run('write', [other]);
      const before = cacheFiles();
      const oldFull = before.find((f) => f.startsWith('coreFull.'));
      writeFileSync(bundle, bundleSource('A2'));
      const r = run('load', [bundle]);
      expect(stat0(r).cache).toBe('missing');
      expect(cacheFiles()).toEqual(before); // the old file stays until the new one is written
      run('write', [bundle]);
      const after = cacheFiles();
      expect(after).not.toContain(oldFull);
      expect(after.filter((f) => f.startsWith('coreFull.'))).toHaveLength(1);
      expect(after.filter((f) => f.startsWith('core.'))).toHaveLength(1); // another bundle's file stays
      expect(stat0(run('load', [bundle]))).toMatchObject({ cache: 'accepted', cachedDataRejected: false });
    });

    describe('a cache directory that is not only this user’s: loads without the cache and writes nothing', () => {
      const unusable = (setUp: () => () => void, reason: RegExp): void => {
        const snapshot = setUp();
        const r = run('write', [bundle]);
        expect(r.summaries[0]).toMatchObject({ value: 42, later: 44, vscodeParent: bundle, version: 'A' });
        expect(stat0(r)).toMatchObject({ cache: 'unusable', written: false });
        expect(stat0(r).reason).toMatch(reason);
        expect(r.warnings).toEqual([]);
        snapshot(); // nothing written where it points
      };

      it('a symlink to a directory', () => {
        unusable(() => {
          const target = mkdtempSync(join(work, 'elsewhere-'));
          chmodSync(target, 0o700);
          mkdirSync(storage, { recursive: true });
          symlinkSync(target, cacheDir);
          return () => expect(readdirSync(target)).toEqual([]);
        }, /symlink/);
      });

      it('group-writable', () => {
        unusable(() => {
          mkdirSync(cacheDir, { recursive: true });
          chmodSync(cacheDir, 0o770);
          return () => expect(readdirSync(cacheDir)).toEqual([]);
        }, /writable by group or others/);
      });

      it('a file', () => {
        unusable(() => {
          mkdirSync(storage, { recursive: true });
          writeFileSync(cacheDir, 'not a directory');
          return () => expect(readFileSync(cacheDir, 'utf8')).toBe('not a directory');
        }, /not a directory/);
      });

      it('the extension storage itself a file', () => {
        unusable(() => {
          mkdirSync(join(storage, '..'), { recursive: true });
          writeFileSync(storage, 'x');
          return () => expect(readFileSync(storage, 'utf8')).toBe('x');
        }, /ENOTDIR|not a directory/);
      });

      it.skipIf(!isRoot)('owned by another user', () => {
        unusable(() => {
          mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
          chownSync(cacheDir, 65534, 65534);
          return () => expect(readdirSync(cacheDir)).toEqual([]);
        }, /not owned by this user/);
      });
    });

    it('a directory where the cache file should be: loads from source; the write fails as a warning, nothing thrown', () => {
      run('write', [bundle]);
      const [file] = cacheFiles();
      const path = join(cacheDir, file ?? '');
      rmSync(path);
      mkdirSync(join(path, 'inside'), { recursive: true });
      const r = run('write', [bundle]);
      expect(r.summaries[0]).toMatchObject({ value: 42, version: 'A' });
      expect(stat0(r)).toMatchObject({ cache: 'invalid', reason: 'not a file', written: false });
      expect(r.warnings).toEqual([
        expect.stringMatching(/^code cache for coreFull\.js not written: E[A-Z]+$/),
      ]);
      expect(readdirSync(path)).toEqual(['inside']);
      expect(cacheFiles()).toEqual([file]); // no temporary file left behind
    });

    it('a FIFO where the cache file should be: not opened for a writer that never comes (no hang), loads from source', () => {
      run('write', [bundle]);
      const [file] = cacheFiles();
      const path = join(cacheDir, file ?? '');
      rmSync(path);
      expect(spawnSync('mkfifo', ['-m', '600', path]).status).toBe(0);
      const r = run('load', [bundle]);
      expect(r.summaries[0]).toMatchObject({ value: 42, version: 'A' });
      expect(stat0(r)).toMatchObject({ cache: 'invalid', reason: 'not a file' });
    });

    it('a cache file that is a symlink or group-writable is not read, and is replaced by a file of its own', () => {
      run('write', [bundle]);
      const [file] = cacheFiles();
      const path = join(cacheDir, file ?? '');
      const good = readFileSync(path);
      // A symlink to valid data elsewhere: not followed.
      const elsewhere = join(mkdtempSync(join(work, 'elsewhere-')), 'data');
      writeFileSync(elsewhere, good, { mode: 0o600 });
      rmSync(path);
      symlinkSync(elsewhere, path);
      const r = run('write', [bundle]);
      expect(stat0(r)).toMatchObject({ cache: 'invalid', reason: 'the file is a symlink', written: true });
      expect(lstatSync(path).isFile()).toBe(true);
      expect(readFileSync(elsewhere).equals(good)).toBe(true);
      // Group-writable: not read.
      chmodSync(path, 0o620);
      expect(stat0(run('write', [bundle]))).toMatchObject({
        cache: 'invalid',
        reason: expect.stringMatching(/writable/) as string,
      });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(stat0(run('load', [bundle])).cache).toBe('accepted');
    });
  },
);
