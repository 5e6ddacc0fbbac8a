import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  promises as fsp,
  readFileSync,
  readSync,
  statSync,
  type Stats,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Loads the extension's lazily-required bundles (core.js, coreFull.js) with a V8 code cache, so
 * that V8 does not parse and compile ~450 KiB of JavaScript again on every start of the extension
 * host (issue 7: activation to ready). What Node's `module.enableCompileCache()` and VS Code do for
 * their own code, but for these files only: nothing process-global is touched (no
 * enableCompileCache, no Module._extensions or Module.prototype hook, no require.cache entry): the
 * extension host is shared with every other extension.
 *
 * - loadBundle(file) reads the bundle, compiles it as Node's CommonJS loader would wrap it, with
 *   the cached data when a usable cache file exists (`new vm.Script(wrapped, { filename,
 *   cachedData })`), and runs it with a `require` from `createRequire(file)`: `require('vscode')`
 *   in the bundle still reaches VS Code's interceptor with the bundle as its parent, and
 *   `require('./errors.js')` is the one shared instance from require.cache. Once per process.
 *   vm.Script, not vm.compileFunction: only a Script can make its cached data after it has run
 *   (createCachedData), so the cache also holds the functions compiled while it ran (Node 20,
 *   coreFull.js: compile 16.6 -> 3.0 ms and its first run 39.8 -> 29.0 ms, medians of 20 fresh
 *   processes; compileFunction's produceCachedData only has the top level).
 * - No cache directory, or one that is unusable: plain require(), exactly as before.
 * - The cache is written only by writeCodeCache() (scheduleCodeCacheWrite(), which the extension
 *   calls once its first state is shown), never while loading: activation never waits on a write.
 *
 * Where: `<the extension's globalStorage>/code-cache/<bundle>.<sha256 of the source, 16 hex>.<V8
 * version>-<arch>.v8cache`; a new extension version (new source) or a new VS Code/Electron (new
 * V8) never reads data made for another, and older files of a bundle are removed when its new one
 * is written. V8 also refuses data that does not fit (other flags, other source length): then the
 * bundle is compiled from its source and the file replaced at the next write.
 *
 * Trust: the cache directory is the user's own extension storage, with the same trust as the
 * extension's installed files (which the same user can edit), and only this user may write it: a
 * directory or file that is a symlink, is not owned by this uid, or is writable by group or others
 * is not used (run from source, write nothing there). Each file carries a SHA-256 of its data,
 * checked before V8 sees it: release builds of V8 do not checksum code caches, and a corrupted
 * file would otherwise be deserialized as is into the shared extension host.
 */

export type CacheStatus =
  /** No cache directory configured: loaded with require(). */
  | 'off'
  /** The cache directory is not usable (see reason): loaded with require(), nothing written. */
  | 'unusable'
  /** No cache file for this source and V8 yet: compiled from source; written at the next write. */
  | 'missing'
  /** A cache file that failed its checksum or was refused (symlink, owner, mode): compiled from source, replaced. */
  | 'invalid'
  /** V8 used the cached data. */
  | 'accepted'
  /** V8 refused the cached data (cachedDataRejected): compiled from source, replaced. */
  | 'rejected';

export interface BundleLoadStat {
  readonly bundle: string;
  readonly cache: CacheStatus;
  /** script.cachedDataRejected when cached data was given to V8. */
  readonly cachedDataRejected?: boolean;
  /** Why the cache was not used (no secret: a path, an error code). */
  readonly reason?: string;
  /** Reading the source, hashing it and reading the cache file. */
  readonly readMs: number;
  readonly compileMs: number;
  readonly runMs: number;
  /** performance.now() when it was loaded (the process's clock: the bench lines it up with activate()). */
  readonly loadedAt: number;
  /** Set once the write step has written this bundle's cache file. */
  written: boolean;
}

type Warn = (message: string) => void;

const CACHE_SUBDIR = 'code-cache';
const SUFFIX = '.v8cache';
const CHECKSUM_BYTES = 32;
/** A code cache of these bundles is ~0.5 MB; anything far larger is not one. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** The same wrapper as Node's CommonJS loader (Module.wrap), spelled out: not the patchable global. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_TAIL = '\n});';

let storageDir: string | undefined;
let warn: Warn = () => undefined;
let writesArmed = false;
let timer: NodeJS.Timeout | undefined;
const loaded = new Map<string, unknown>();
const stats: BundleLoadStat[] = [];
/** Bundles compiled from source whose cache file is still to be written. */
const pending: Array<{ script: Script; target: string; bundle: string; stat: BundleLoadStat }> = [];

/**
 * Where the cache lives (the extension's `context.globalStorageUri.fsPath`; it may not exist yet),
 * and where to report a failed write. Called at activation, before any bundle is loaded.
 */
export function configureCodeCache(dir: string | undefined, onWarning?: Warn): void {
  storageDir = dir === undefined || dir === '' ? undefined : dir;
  if (onWarning !== undefined) warn = onWarning;
}

/** What each loadBundle() did, in load order (the bench and support read it; nothing secret). */
export function bundleLoadStats(): readonly BundleLoadStat[] {
  return stats;
}

const isWindows = process.platform === 'win32';

/**
 * Whether a cache directory or file may be used: not a symlink, this uid's, not writable by group
 * or others. (On Windows, stat has no owner and no such mode bits, and %APPDATA% is the user's
 * own by its ACL: only the symlink check applies.)
 */
function refusal(s: Stats, kind: 'directory' | 'file'): string | undefined {
  if (s.isSymbolicLink()) return `the ${kind} is a symlink`;
  if (kind === 'directory' ? !s.isDirectory() : !s.isFile()) return `not a ${kind}`;
  if (isWindows) return undefined;
  const uid = process.getuid?.();
  if (uid !== undefined && s.uid !== uid) return `the ${kind} is not owned by this user`;
  if ((s.mode & 0o022) !== 0) return `the ${kind} is writable by group or others`;
  return undefined;
}

/** The cache directory if usable; `missing` if it does not exist yet (created at the write). */
function cacheDirectory(): { dir: string; missing: boolean } | { unusable: string } | undefined {
  if (storageDir === undefined) return undefined;
  const dir = join(storageDir, CACHE_SUBDIR);
  try {
    const why = refusal(lstatSync(dir), 'directory');
    return why === undefined ? { dir, missing: false } : { unusable: `${dir}: ${why}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { unusable: `${dir}: ${code ?? 'error'}` };
  }
  // Not there yet: its parent (the extension's storage) must be a directory, or not exist yet.
  try {
    if (!statSync(storageDir).isDirectory()) return { unusable: `${storageDir}: not a directory` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { unusable: `${storageDir}: ${code ?? 'error'}` };
  }
  return { dir, missing: true };
}

/** The cache file's data (checksum verified), or why it is not used; undefined when there is none. */
function readCacheFile(file: string): Buffer | { invalid: string } | undefined {
  let fd: number;
  try {
    // Windows has no O_NOFOLLOW: a symlink is refused before opening.
    if (isWindows && lstatSync(file).isSymbolicLink()) return { invalid: 'the file is a symlink' };
    // O_NOFOLLOW: a symlink planted in place of the file is not followed (ELOOP), not even opened.
    // O_NONBLOCK: a FIFO in its place does not block the shared extension host waiting for a
    // writer; fstat then refuses it (not a file). For a regular file it changes nothing.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? undefined
      : { invalid: code === 'ELOOP' ? 'the file is a symlink' : String(code) };
  }
  try {
    const s = fstatSync(fd);
    const why = refusal(s, 'file');
    if (why !== undefined) return { invalid: why };
    if (s.size <= CHECKSUM_BYTES || s.size > MAX_CACHE_BYTES) return { invalid: `size ${String(s.size)}` };
    const buffer = Buffer.allocUnsafe(s.size);
    let read = 0;
    while (read < s.size) {
      const n = readSync(fd, buffer, read, s.size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read !== s.size) return { invalid: 'short read' };
    const data = buffer.subarray(CHECKSUM_BYTES);
    const sum = createHash('sha256').update(data).digest();
    if (!sum.equals(buffer.subarray(0, CHECKSUM_BYTES))) return { invalid: 'checksum mismatch' };
    return data;
  } catch (error) {
    // A cache that cannot be read (EIO, …) never fails the load: compiled from source instead.
    return { invalid: String((error as NodeJS.ErrnoException).code ?? 'read error') };
  } finally {
    closeSync(fd);
  }
}

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');
/** `<bundle>.` : every cache file of this bundle starts so (the bundle names have no dots). */
const bundlePrefix = (bundle: string): string => `${bundle}.`;

/**
 * The bundle's `module.exports`, as `require(file)` would give them; loaded once per process.
 * Synchronous, like require(). Never writes: see writeCodeCache().
 */
export function loadBundle(file: string): unknown {
  if (loaded.has(file)) return loaded.get(file);
  const bundle = fileSafe(basename(file).replace(/\.[cm]?js$/, ''));
  const where = cacheDirectory();
  if (where === undefined || 'unusable' in where) {
    const t0 = performance.now();
    const exports: unknown = createRequire(file)(file);
    const runMs = performance.now() - t0;
    loaded.set(file, exports);
    stats.push({
      bundle,
      cache: where === undefined ? 'off' : 'unusable',
      ...(where === undefined ? {} : { reason: where.unusable }),
      readMs: 0,
      compileMs: 0,
      runMs,
      loadedAt: performance.now(),
      written: false,
    });
    return exports;
  }

  const t0 = performance.now();
  const sourceBytes = readFileSync(file);
  const hash = createHash('sha256').update(sourceBytes).digest('hex').slice(0, 16);
  const target = join(
    where.dir,
    `${bundle}.${hash}.${fileSafe(`${process.versions.v8}-${process.arch}`)}${SUFFIX}`,
  );
  const cached = where.missing ? undefined : readCacheFile(target);
  const cachedData = Buffer.isBuffer(cached) ? cached : undefined;
  const t1 = performance.now();
  const script = new Script(WRAPPER_HEAD + sourceBytes.toString('utf8') + WRAPPER_TAIL, {
    filename: file,
    // Columns on the first line as require() gives them (a minified bundle is mostly one line).
    columnOffset: -WRAPPER_HEAD.length,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const t2 = performance.now();
  const fn = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  const module = { id: file, filename: file, path: dirname(file), exports: {} as unknown, loaded: false };
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  const t3 = performance.now();
  loaded.set(file, module.exports);

  const rejected = cachedData === undefined ? undefined : script.cachedDataRejected === true;
  const stat: BundleLoadStat = {
    bundle,
    cache:
      cached === undefined
        ? 'missing'
        : !Buffer.isBuffer(cached)
          ? 'invalid'
          : rejected === true
            ? 'rejected'
            : 'accepted',
    ...(rejected === undefined ? {} : { cachedDataRejected: rejected }),
    ...(cached !== undefined && !Buffer.isBuffer(cached) ? { reason: cached.invalid } : {}),
    readMs: t1 - t0,
    compileMs: t2 - t1,
    runMs: t3 - t2,
    loadedAt: t3,
    written: false,
  };
  stats.push(stat);
  if (stat.cache !== 'accepted') {
    pending.push({ script, target, bundle, stat });
    if (writesArmed) arm(1000);
  }
  return module.exports;
}

function arm(delayMs: number): void {
  if (timer !== undefined) return;
  timer = setTimeout(() => {
    timer = undefined;
    void writeCodeCache();
  }, delayMs);
  timer.unref(); // a pending cache write never keeps the process alive
}

/**
 * After the first state is shown: writes the pending caches after `delayMs` (so that they hold the
 * functions compiled by then), and from now on a bundle loaded later (coreFull.js on a first
 * command) is written a second after its load. Never blocks; failures are warnings.
 */
export function scheduleCodeCacheWrite(delayMs = 1000): void {
  writesArmed = true;
  if (pending.length > 0) arm(delayMs);
}

/** Writes every pending cache file now. Never throws: a failure is a warning and the file is skipped. */
export async function writeCodeCache(): Promise<void> {
  const batch = pending.splice(0);
  for (const entry of batch) {
    try {
      await writeOne(entry.script, entry.target, entry.bundle);
      entry.stat.written = true;
    } catch (error) {
      warn(
        `code cache for ${entry.bundle}.js not written: ${(error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))}`,
      );
    }
  }
}

async function writeOne(script: Script, target: string, bundle: string): Promise<void> {
  // fs.promises only now: not loaded with this module, which extension.js requires before activate().
  const { lstat, mkdir, open, readdir, rename, stat, unlink } = fsp;
  const dir = dirname(target);
  // The extension's storage may not exist yet; the cache directory is this user's only (0700).
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  // Checked again here: it may have existed before, made by someone else.
  const why = refusal(await lstat(dir), 'directory');
  if (why !== undefined) throw new Error(`${dir}: ${why}`);

  const data = script.createCachedData();
  const sum = createHash('sha256').update(data).digest();
  // Atomically: a temporary file of its own (O_EXCL, O_NOFOLLOW, 0600), then rename over the name.
  const temp = `${target}.${String(process.pid)}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
    0o600,
  );
  try {
    await handle.writeFile(Buffer.concat([sum, data]));
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // This bundle's older files (an older source or V8), and temporary files left by a crash.
  const prefix = bundlePrefix(bundle);
  const current = basename(target);
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || name === current) continue;
    const path = join(dir, name);
    if (name.endsWith('.tmp')) {
      // Another window may be writing this one right now: only old leftovers go.
      const s = await stat(path).catch(() => undefined);
      if (s === undefined || Date.now() - s.mtimeMs < 60_000) continue;
    } else if (!name.endsWith(SUFFIX)) continue;
    await unlink(path).catch(() => undefined);
  }
}
