import { connect, type Socket } from 'node:net';
import { StrongroomError } from '../errors/StrongroomError.js';
import type {
  AgentError,
  AgentEventFrame,
  AgentMethodName,
  AgentParams,
  AgentResult,
  AgentStateSnapshot,
} from '../protocol/agentApi.js';
import type { AgentEndpoint } from './agentSocketPath.js';
import { privateDirProblem } from './checkPrivateDir.js';
import { fromAgentError } from './fromAgentError.js';
import { LineFramer } from './LineFramer.js';

/** Same limit as the server (protocol/agentApi.ts MAX_AGENT_FRAME_BYTES), without importing zod. */
const MAX_FRAME = 256 * 1024;

interface Waiter {
  resolve(result: unknown): void;
  reject(error: StrongroomError): void;
}

/**
 * A client of the agent's socket: the CLI (on its hot path, so no zod, no commander: answers are
 * the agent's, checked by the agent against its schemas before they left), the extension, tests.
 * Errors come back as StrongroomError with the agent's code, so callers map them as if they had
 * done the work themselves.
 */
export class AgentClient {
  readonly #socket: Socket;
  readonly #waiters = new Map<number, Waiter>();
  readonly #listeners = new Set<(state: AgentStateSnapshot) => void>();
  #next = 1;
  #closedWith: StrongroomError | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const framer = new LineFramer(MAX_FRAME);
    socket.on('data', (chunk: Buffer) => {
      const { frames, tooLarge } = framer.push(chunk);
      for (const text of frames) this.#onFrame(text);
      if (tooLarge) this.#fail(new StrongroomError('internal', 'The agent sent an oversized frame.'));
    });
    socket.on('error', (error) =>
      this.#fail(new StrongroomError('internal', 'The agent connection failed.', { cause: error })),
    );
    socket.on('close', () => this.#fail(new StrongroomError('internal', 'The agent closed the connection.')));
  }

  /**
   * Connects to a running agent; undefined when none runs (no socket, nobody listening) or the
   * socket's directory is not private to us (never talk to an agent someone else planted).
   */
  static async connect(endpoint: AgentEndpoint, uid: number | undefined): Promise<AgentClient | undefined> {
    if (endpoint.dir !== null && (await privateDirProblem(endpoint.dir, uid)) !== undefined) return undefined;
    return new Promise((resolve) => {
      const socket = connect(endpoint.path);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(new AgentClient(socket));
      });
      socket.once('error', () => resolve(undefined));
    });
  }

  request<M extends AgentMethodName>(method: M, params?: AgentParams<M>): Promise<AgentResult<M>>;
  request(method: string, params?: unknown): Promise<unknown>;
  request(method: string, params?: unknown): Promise<unknown> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      this.#socket.write(
        `${JSON.stringify({ v: 1, id, method, ...(params === undefined ? {} : { params }) })}\n`,
      );
    });
  }

  /** After `request('state.subscribe')`: every state the agent pushes. Returns unsubscribe. */
  onState(listener: (state: AgentStateSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#socket.end();
    this.#socket.destroy();
  }

  #onFrame(text: string): void {
    let value: {
      id?: unknown;
      ok?: unknown;
      result?: unknown;
      error?: AgentError;
      event?: unknown;
      state?: unknown;
    };
    try {
      value = JSON.parse(text) as typeof value;
    } catch {
      this.#fail(new StrongroomError('internal', 'The agent sent a frame that is not JSON.'));
      return;
    }
    if (value.event === 'state') {
      for (const listener of this.#listeners) listener((value as AgentEventFrame).state);
      return;
    }
    const waiter = typeof value.id === 'number' ? this.#waiters.get(value.id) : undefined;
    if (waiter === undefined) {
      // id null: a protocol error about the connection itself; it is closing.
      if (value.ok === false && value.error !== undefined) this.#fail(fromAgentError(value.error));
      return;
    }
    this.#waiters.delete(value.id as number);
    if (value.ok === true) waiter.resolve(value.result);
    else
      waiter.reject(
        fromAgentError(value.error ?? { code: 'internal', message: 'The agent answered without a result.' }),
      );
  }

  #fail(error: StrongroomError): void {
    this.#closedWith ??= error;
    for (const waiter of this.#waiters.values()) waiter.reject(this.#closedWith);
    this.#waiters.clear();
    this.#socket.destroy();
  }
}
