import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of the built broker binary (`npx tsc -b` first). */
export const BROKER_BIN = createRequire(import.meta.url).resolve(
  '@strongroom/broker/bin/strongroom-broker.js',
);

export type BrokerStoreOption = { kind: 'sqlite' } | { kind: 'postgres'; url: string; schema?: string };

export interface StartBrokerOptions {
  /** Data directory (SQLite store); a fresh temporary one when omitted. Reuse it to restart a broker. */
  dataDir?: string;
  /** 0 or omitted: a free port is picked. */
  port?: number;
  store?: BrokerStoreOption;
  /** Extra `serve` flags, e.g. ['--demo'] or ['--enrollment-ttl', '60']. */
  args?: string[];
  /** Milliseconds to wait for "Ready."; default 60 s (a loaded CI machine starts slowly). */
  readyTimeoutMs?: number;
  /** STRONGROOM_LOG_LEVEL of the broker; default `warn` (no per-request lines). */
  logLevel?: 'warn' | 'info' | 'debug';
}

export interface RunningBroker {
  /** e.g. http://localhost:41234 (host name, not IP: browsers refuse WebAuthn on IP origins). */
  issuer: string;
  /** Same as issuer; the base URL of every broker endpoint and page. */
  url: string;
  port: number;
  dataDir: string;
  store: BrokerStoreOption;
  /** The admin enrollment link printed at first start (undefined once an admin exists). */
  enrollmentLink: string | undefined;
  /** Everything the broker printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (crash) and wait for exit. */
  kill(): Promise<void>;
  /** Sends a signal without waiting for exit (SIGHUP: reload the policy bundle). */
  sendSignal(signal: NodeJS.Signals): void;
  /** Runs `strongroom-broker invite <email> --role …` against the same store; returns the link. */
  invite(email: string, roles?: string[]): Promise<string>;
  /** Runs any other `strongroom-broker` subcommand against the same store (e.g. audit export). */
  run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function storeArgs(store: BrokerStoreOption, dataDir: string): string[] {
  if (store.kind === 'sqlite') return ['--data', dataDir];
  return [
    '--data',
    dataDir,
    '--store',
    'postgres',
    '--database-url',
    store.url,
    ...(store.schema ? ['--database-schema', store.schema] : []),
  ];
}

/** Runs the broker CLI once to completion. */
export function runBrokerCli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BROKER_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts the real broker (`node broker/dist/bin/strongroom-broker.js serve`) as a child process,
 * waits until it prints "Ready.", and parses the issuer and the admin enrollment link.
 */
export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'strongroom-broker-')));
  const port = options.port || (await freePort());
  const store = options.store ?? { kind: 'sqlite' };
  const child = spawn(
    process.execPath,
    [BROKER_BIN, 'serve', '--port', String(port), ...storeArgs(store, dataDir), ...(options.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STRONGROOM_LOG_LEVEL: options.logLevel ?? 'warn' },
    },
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`broker not ready after ${options.readyTimeoutMs ?? 60_000} ms:\n${output}`)),
      options.readyTimeoutMs ?? 60_000,
    );
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/^Ready\.$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code ?? signal}) before ready:\n${output}`));
    });
  });
  await ready;
  const issuer = /^Issuer: (\S+)$/m.exec(output)?.[1];
  if (!issuer) throw new Error(`broker printed no issuer:\n${output}`);
  const enrollmentLink = /^\s+(http\S+\/enroll\/\S+)$/m.exec(output)?.[1];
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await waitForExit(child);
  };
  const run = (args: string[]) => runBrokerCli([...args, ...storeArgs(store, dataDir)]);
  return {
    issuer,
    url: issuer,
    port,
    dataDir,
    store,
    enrollmentLink,
    output: () => output,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    sendSignal: (sig) => void child.kill(sig),
    run,
    async invite(email, roles = []) {
      const args = ['invite', email, '--issuer', issuer, ...(roles.length ? ['--role', ...roles] : [])];
      const result = await run(args);
      const link = /(http\S+\/enroll\/\S+)/.exec(result.stdout)?.[1];
      if (result.code !== 0 || !link) throw new Error(`invite failed (${result.code}): ${result.stderr}`);
      return link;
    },
  };
}
