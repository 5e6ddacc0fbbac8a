import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningSshAgent {
  socket: string;
  /** `{ SSH_AUTH_SOCK }` for the processes that should use it. */
  env: { SSH_AUTH_SOCK: string };
  /** `ssh-add -L`: the public keys and certificates it holds, one a line. */
  keys(): string;
  stop(): void;
}

/** A private OpenSSH `ssh-agent -D` with its socket in `dir`. */
export async function startSshAgent(dir: string): Promise<RunningSshAgent> {
  const socket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  while (!existsSync(socket)) await new Promise((resolve) => setTimeout(resolve, 50));
  const env = { SSH_AUTH_SOCK: socket };
  return {
    socket,
    env,
    keys: () => spawnSync('ssh-add', ['-L'], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout,
    stop: () => void agent.kill(),
  };
}
