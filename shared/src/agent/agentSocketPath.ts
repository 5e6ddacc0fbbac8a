import { join } from 'node:path';

export interface AgentEndpointContext {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The process's user id (`process.getuid()`); undefined on Windows. */
  readonly uid: number | undefined;
  readonly tmpdir: string;
  /** Windows only: the user name that keeps two users' pipes apart. */
  readonly username?: string;
}

export interface AgentEndpoint {
  /** What `net.listen` / `net.connect` take. */
  readonly path: string;
  /** The private directory holding the socket (mode 0700, ours); null for a Windows named pipe. */
  readonly dir: string | null;
}

/**
 * Where the agent listens (issue 8). Unix: `$XDG_RUNTIME_DIR/strongroom/agent.sock` (the runtime
 * directory is the user's own, 0700, and cleared at logout); without one (macOS, containers) a
 * directory under the temp dir with the uid in its name, `strongroom-<uid>`, which both sides check
 * is ours and 0700 before trusting (anyone can create names in /tmp first). Windows: a named pipe
 * per user name. `STRONGROOM_AGENT_SOCKET` overrides the path (its directory is checked the same way).
 *
 * Zod-free and tiny: the CLI's hot path imports it.
 */
export function agentSocketPath(context: AgentEndpointContext): AgentEndpoint {
  const override = context.env['STRONGROOM_AGENT_SOCKET'];
  if (context.platform === 'win32') {
    const user = (context.username ?? context.env['USERNAME'] ?? 'user').replace(/[^A-Za-z0-9_.-]/g, '_');
    return { path: override ?? `\\\\.\\pipe\\strongroom-agent-${user}`, dir: null };
  }
  if (override !== undefined && override !== '') {
    const cut = override.lastIndexOf('/');
    return { path: override, dir: cut > 0 ? override.slice(0, cut) : '/' };
  }
  const runtime = context.env['XDG_RUNTIME_DIR'];
  const dir =
    runtime !== undefined && runtime.startsWith('/')
      ? join(runtime, 'strongroom')
      : join(context.tmpdir, `strongroom-${String(context.uid ?? 'user')}`);
  return { path: join(dir, 'agent.sock'), dir };
}
