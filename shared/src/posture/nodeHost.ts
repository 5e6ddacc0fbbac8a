import { execFile } from 'node:child_process';
import { open, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { DirReadResult, ExecResult, FileFailure, FileReadResult, PostureHost } from './PostureHost.js';

// Bounds, not expectations: apt's uncompressed security lists are the largest thing read (tens of MB).
const maxOutputBytes = 64 * 1024 * 1024;
const maxFileBytes = 64 * 1024 * 1024;

function fileFailure(error: unknown): { ok: false; failure: FileFailure; detail: string } {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return { ok: false, failure: 'not_found', detail: 'not found' };
  if (code === 'EACCES' || code === 'EPERM')
    return { ok: false, failure: 'permission_denied', detail: 'permission denied' };
  return { ok: false, failure: 'failed', detail: code ? `read failed (${code})` : 'read failed' };
}

// What the system tools may see of our environment: enough to find the user's desktop session and
// settings (gsettings, kreadconfig), nothing else. Tokens or keys that a parent process left in the
// environment do not travel to every tool the checks run.
const passedToTools = [
  'HOME',
  'USER',
  'LOGNAME',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'DBUS_SESSION_BUS_ADDRESS',
  'TMPDIR',
];

function unixToolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (passedToTools.includes(name) || name.startsWith('XDG_')) kept[name] = value;
  }
  // System directories first: the tools are looked up where the OS installs them (nft and ufw live
  // in /usr/sbin, which a normal user's PATH often lacks), not wherever the user's PATH points first.
  const system = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  const user = (env['PATH'] ?? '').split(':').filter((dir) => dir.startsWith('/') && !system.includes(dir));
  return { ...kept, PATH: [...system, ...user].join(':'), LC_ALL: 'C', LANG: 'C' };
}

/**
 * The real machine. Commands run with execFile (no shell: arguments are never re-parsed), a hard
 * timeout and SIGKILL, bounded output, and, on Unix, the C locale so tools print the English the
 * parsers read. Windows has no such switch, which is why the win32 checks ask PowerShell for JSON.
 */
export function createNodePostureHost(): PostureHost {
  const platform = process.platform;
  const env = Object.freeze({ ...process.env });
  const childEnv = platform === 'win32' ? process.env : unixToolEnv(process.env);

  const exec = (file: string, args: readonly string[], options: { timeoutMs: number }) =>
    new Promise<ExecResult>((resolve) => {
      execFile(
        file,
        [...args],
        {
          timeout: options.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: maxOutputBytes,
          windowsHide: true,
          shell: false,
          encoding: 'utf8',
          env: childEnv,
        },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr, exitCode: 0 });
          const code = 'code' in error ? error.code : undefined;
          if (code === 'ENOENT') return resolve({ stdout, stderr, exitCode: null, failure: 'not_found' });
          if (code === 'EACCES' || code === 'EPERM')
            return resolve({ stdout, stderr, exitCode: null, failure: 'permission_denied' });
          if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
            return resolve({ stdout: '', stderr: '', exitCode: null, failure: 'output_too_large' });
          if (error.killed) return resolve({ stdout, stderr, exitCode: null, failure: 'timeout' });
          if (typeof code === 'number') return resolve({ stdout, stderr, exitCode: code });
          return resolve({ stdout, stderr, exitCode: null, failure: 'spawn_failed' });
        },
      );
    });

  const readFile = async (path: string): Promise<FileReadResult> => {
    try {
      const handle = await open(path, 'r');
      try {
        // Files under /proc and /sys report size 0, so read until the end rather than trusting stat.
        const chunks: Uint8Array[] = [];
        let total = 0;
        for (;;) {
          // Small first: most reads are one-line /proc and /sys files.
          const chunk = new Uint8Array(chunks.length === 0 ? 4096 : 64 * 1024);
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
          if (bytesRead === 0) break;
          total += bytesRead;
          if (total > maxFileBytes) return { ok: false, failure: 'too_large', detail: 'larger than 64 MiB' };
          chunks.push(chunk.subarray(0, bytesRead));
        }
        return { ok: true, data: Buffer.concat(chunks) };
      } finally {
        await handle.close();
      }
    } catch (error) {
      return fileFailure(error);
    }
  };

  const readDir = async (path: string): Promise<DirReadResult> => {
    try {
      return { ok: true, entries: await readdir(path) };
    } catch (error) {
      return fileFailure(error);
    }
  };

  return { platform, homeDir: homedir(), env, now: () => new Date(), exec, readFile, readDir };
}
