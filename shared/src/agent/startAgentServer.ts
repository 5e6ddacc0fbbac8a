import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { StrongroomError } from '../errors/StrongroomError.js';
import {
  AGENT_FATAL_ERROR_CODES,
  AGENT_PROTOCOL_VERSION,
  MAX_AGENT_FRAME_BYTES,
  agentRequestSchema,
  type AgentError,
  type AgentEventFrame,
  type AgentRequestId,
  type AgentResponse,
} from '../protocol/agentApi.js';
import type { AgentCall, AgentPeer } from './AgentCall.js';
import type { AgentHandlerRegistry } from './AgentHandlerRegistry.js';
import type { AgentEndpoint } from './agentSocketPath.js';
import { assertPrivateDir, privateDirProblem } from './checkPrivateDir.js';
import { LineFramer } from './LineFramer.js';
import { peerLookupFor, type PeerLookup } from './PeerLookup.js';

export interface AgentServerOptions {
  readonly methods: AgentHandlerRegistry;
  readonly endpoint: AgentEndpoint;
  readonly platform: NodeJS.Platform;
  /** Our uid (`process.getuid()`); peers must have it. undefined on Windows. */
  readonly uid: number | undefined;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Default: peerLookupFor(platform). `required`: refuse a peer the lookup cannot identify. */
  readonly peers?: { readonly lookup: PeerLookup | undefined; readonly required: boolean };
  readonly maxConnections?: number;
  /** A connection that sends nothing for this long is closed (subscriptions excepted). Default 2 min. */
  readonly idleTimeoutMs?: number;
}

export interface AgentServer {
  readonly path: string;
  /** Whether peers' uids are verified on this platform (false: only the socket's file modes protect it). */
  readonly peersVerified: boolean;
  close(): Promise<void>;
}

/**
 * The agent's local endpoint (issue 8): newline-delimited JSON frames (protocol/agentApi.ts) on a
 * Unix domain socket, mode 0600 in a 0700 directory of ours (a named pipe on Windows).
 *
 * - Every peer's uid is checked first on Linux (PeerLookup); a peer of another user, or one that
 *   cannot be identified, gets `peer_refused` and is disconnected before any frame is read.
 * - A frame that is not JSON, not a strict v1 envelope, larger than MAX_AGENT_FRAME_BYTES, or names
 *   an unknown method is answered with an error and the connection is closed. Nothing a peer sends
 *   can throw out of here.
 * - Requests on one connection are answered in order.
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { endpoint, log } = options;
  const peers = options.peers ?? peerLookupFor(options.platform);
  const maxConnections = options.maxConnections ?? 64;
  const idleMs = options.idleTimeoutMs ?? 120_000;
  if (endpoint.dir !== null) await prepareDir(endpoint.dir, endpoint.path, options.uid);

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (sockets.size >= maxConnections) {
      socket.end(
        frame({
          v: AGENT_PROTOCOL_VERSION,
          id: null,
          ok: false,
          error: { code: 'internal', message: 'The agent is busy.' },
        }),
      );
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, options, peers, idleMs).catch((error: unknown) => {
      log('warn', `Agent connection failed: ${error instanceof Error ? error.message : String(error)}`);
      socket.destroy();
    });
  });
  server.on('error', (error) => log('error', `Agent socket error: ${error.message}`));

  // The socket is created with the process umask; a tight one means it is never 0600-plus even for
  // the instant before chmod (the 0700 directory already keeps others out).
  const previousUmask = endpoint.dir === null ? undefined : process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(endpoint.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    if (previousUmask !== undefined) process.umask(previousUmask);
  }
  if (endpoint.dir !== null) await chmod(endpoint.path, 0o600);
  log('info', `Agent listening on ${endpoint.path}`);

  return {
    path: endpoint.path,
    peersVerified: peers.lookup !== undefined,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      if (endpoint.dir !== null) await unlink(endpoint.path).catch(() => undefined);
    },
  };
}

async function prepareDir(dir: string, path: string, uid: number | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A directory of ours with a loose mode (an old umask) can be fixed; anyone else's cannot.
  const problem = await privateDirProblem(dir, uid);
  if (problem !== undefined && /^mode /.test(problem)) await chmod(dir, 0o700);
  await assertPrivateDir(dir, uid);
  const existing = await lstat(path).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket())
    throw new StrongroomError('internal', `${path} exists and is not a socket.`, {
      hint: 'Remove it and start the agent again.',
    });
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive)
    throw new StrongroomError('usage', `An agent is already running on ${path}.`, {
      hint: 'Stop it first, or use it: `strongroom status` talks to it.',
    });
  await unlink(path); // stale: a previous agent died without cleaning up
}

function frame(value: AgentResponse | AgentEventFrame): string {
  return `${JSON.stringify(value)}\n`;
}

async function serve(
  socket: Socket,
  options: AgentServerOptions,
  peers: { readonly lookup: PeerLookup | undefined; readonly required: boolean },
  idleMs: number,
): Promise<void> {
  const { log } = options;
  let closed = false;
  let subscribed = false;
  const cleanups: Array<() => void> = [];
  socket.once('close', () => {
    closed = true;
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  socket.on('error', () => undefined); // a peer that vanishes mid-write is not our error
  socket.pause();

  const send = (value: AgentResponse | AgentEventFrame): void => {
    if (closed) return;
    const text = frame(value);
    if (Buffer.byteLength(text) > MAX_AGENT_FRAME_BYTES + 1) {
      const id = 'id' in value ? value.id : null;
      socket.write(
        frame({
          v: AGENT_PROTOCOL_VERSION,
          id,
          ok: false,
          error: { code: 'internal', message: 'The answer is too large for one frame.' },
        }),
      );
      return;
    }
    socket.write(text);
  };
  const refuse = (id: AgentRequestId | null, error: AgentError): void => {
    if (closed) return;
    closed = true;
    socket.end(frame({ v: AGENT_PROTOCOL_VERSION, id, ok: false, error }));
  };

  let peer: AgentPeer = { via: 'socket', uid: null, pids: [] };
  if (peers.lookup !== undefined) {
    const found = await peers.lookup(socket).catch(() => undefined);
    const ok = found !== undefined && found.uids.length > 0 && found.uids.every((u) => u === options.uid);
    if (!ok) {
      log(
        'warn',
        found === undefined
          ? 'Refused an agent connection whose peer could not be identified'
          : `Refused an agent connection from uid ${found.uids.join(',')} (pids ${found.pids.join(',')})`,
      );
      if (peers.required || found !== undefined) {
        refuse(null, {
          code: 'peer_refused',
          message:
            found === undefined
              ? 'The agent could not verify who is connecting.'
              : 'This agent serves only its own user.',
        });
        return;
      }
    } else peer = { via: 'socket', uid: options.uid ?? null, pids: found.pids };
  }

  const call: AgentCall = {
    peer,
    connection: {
      send: (event) => send(event),
      onClose: (cleanup) => {
        subscribed = true;
        if (closed) cleanup();
        else cleanups.push(cleanup);
      },
    },
  };
  socket.setTimeout(idleMs, () => {
    if (!subscribed) socket.destroy();
  });

  const framer = new LineFramer(MAX_AGENT_FRAME_BYTES);
  let queue = Promise.resolve();
  const handle = async (text: string): Promise<void> => {
    if (closed) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return refuse(null, { code: 'bad_frame', message: 'A frame must be one JSON object per line.' });
    }
    const envelope = agentRequestSchema.safeParse(raw);
    if (!envelope.success) {
      const v = typeof raw === 'object' && raw !== null ? (raw as { v?: unknown }).v : undefined;
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      const safeId =
        (typeof id === 'string' && id.length <= 64) ||
        (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0)
          ? id
          : null;
      if (v !== undefined && v !== AGENT_PROTOCOL_VERSION)
        return refuse(safeId, {
          code: 'unsupported_version',
          message: `This agent speaks protocol version ${String(AGENT_PROTOCOL_VERSION)}.`,
        });
      return refuse(safeId, {
        code: 'bad_frame',
        message: 'Not a request frame: {v:1, id, method, params}.',
      });
    }
    const answer = await options.methods.dispatch(envelope.data, call);
    if (!answer.ok && AGENT_FATAL_ERROR_CODES.has(answer.error.code)) return refuse(answer.id, answer.error);
    send(answer);
  };
  socket.on('data', (chunk: Buffer) => {
    const { frames, tooLarge } = framer.push(chunk);
    for (const text of frames) queue = queue.then(() => handle(text));
    if (tooLarge) {
      queue = queue.then(() =>
        refuse(null, {
          code: 'frame_too_large',
          message: `Frames are at most ${String(MAX_AGENT_FRAME_BYTES)} bytes.`,
        }),
      );
      socket.pause();
    }
  });
  socket.resume();
}
