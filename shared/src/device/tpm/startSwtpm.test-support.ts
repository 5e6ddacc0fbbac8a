import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real software TPM 2.0 (swtpm) on loopback, for tests of the TPM device key. */
export interface Swtpm {
  /** The tpm2-tools TCTI that reaches it. */
  readonly tcti: string;
  /** Wipes the TPM's state and restarts it: a new owner seed, as after a TPM clear or replacement. */
  wipe(): Promise<void>;
  stop(): Promise<void>;
}

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Two free adjacent ports: the swtpm TCTI reaches the control channel at the server port + 1. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 20000) * 2;
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error('no two free adjacent ports for swtpm');
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`swtpm exited (${child.exitCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`swtpm did not listen on ${port}`);
}

/**
 * Starts `swtpm socket --tpm2` with its state in a fresh temporary directory, already started up
 * (`startup-clear`), on two free adjacent loopback ports. No resource manager sits in front of it, which is
 * the harder case for the client (it must flush what it loads).
 */
export async function startSwtpm(): Promise<Swtpm> {
  const port = await freePortPair();
  const ctrl = port + 1;
  let stateDir = await mkdtemp(join(tmpdir(), 'strongroom-swtpm-'));
  let child: ChildProcess;
  const start = async (): Promise<void> => {
    child = spawn(
      'swtpm',
      [
        'socket',
        '--tpm2',
        '--tpmstate',
        `dir=${stateDir}`,
        '--server',
        `type=tcp,port=${port},bindaddr=127.0.0.1`,
        '--ctrl',
        `type=tcp,port=${ctrl},bindaddr=127.0.0.1`,
        '--flags',
        'not-need-init,startup-clear',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await waitForPort(port, child);
  };
  const halt = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    tcti: `swtpm:host=127.0.0.1,port=${port}`,
    async wipe() {
      await halt();
      await rm(stateDir, { recursive: true, force: true });
      stateDir = await mkdtemp(join(tmpdir(), 'strongroom-swtpm-'));
      await start();
    },
    async stop() {
      await halt();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
