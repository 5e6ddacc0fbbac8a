import type { z } from 'zod';
import { StrongroomError } from '../errors/StrongroomError.js';
import {
  AGENT_PROTOCOL_VERSION,
  agentMethods,
  type AgentMethodName,
  type AgentMethodSpec,
  type AgentParams,
  type AgentRequest,
  type AgentResponse,
  type AgentResult,
} from '../protocol/agentApi.js';
import type { AgentCall } from './AgentCall.js';
import { inProcessCall } from './AgentCall.js';
import { fromAgentError } from './fromAgentError.js';
import { toAgentError } from './toAgentError.js';

export type AgentHandler<P, R> = (params: P, call: AgentCall) => Promise<R> | R;

interface Entry {
  readonly spec: AgentMethodSpec;
  readonly handler: AgentHandler<unknown, unknown>;
}

/**
 * Methods by name: the agent registers the built-in ones, helpers register theirs (a credential
 * helper's `aws.containerCredentials`, say) the same way, and dispatch never grows a switch. Every
 * call's params are parsed with the method's strict schema before the handler runs, and its result
 * with the result schema before it leaves, so a handler bug cannot put an unexpected field on the
 * wire.
 */
export class AgentHandlerRegistry {
  readonly #methods = new Map<string, Entry>();
  readonly #log: (message: string) => void;

  constructor(log: (message: string) => void) {
    this.#log = log;
  }

  /** A built-in method (its spec comes from `agentMethods`). */
  handle<M extends AgentMethodName>(
    name: M,
    handler: AgentHandler<z.output<(typeof agentMethods)[M]['params']>, AgentResult<M>>,
  ): void {
    this.register(name, agentMethods[name] as AgentMethodSpec, handler as AgentHandler<unknown, unknown>);
  }

  /** Any method, with its own spec. A name can be registered once. */
  register<S extends AgentMethodSpec>(
    name: string,
    spec: S,
    handler: AgentHandler<z.output<S['params']>, z.input<S['result']>>,
  ): void {
    if (this.#methods.has(name))
      throw new StrongroomError('internal', `Agent method "${name}" is already registered.`);
    this.#methods.set(name, { spec, handler: handler as AgentHandler<unknown, unknown> });
  }

  has(name: string): boolean {
    return this.#methods.has(name);
  }

  names(): readonly string[] {
    return [...this.#methods.keys()].sort();
  }

  /** In-process call (the extension or tray holding the agent): typed, throws StrongroomError. */
  async invoke<M extends AgentMethodName>(
    name: M,
    params: AgentParams<M>,
    call: AgentCall = inProcessCall,
  ): Promise<AgentResult<M>> {
    const answer = await this.dispatch({ v: AGENT_PROTOCOL_VERSION, id: 0, method: name, params }, call);
    if (answer.ok) return answer.result as AgentResult<M>;
    throw fromAgentError(answer.error);
  }

  /** Answers one (envelope-checked) request. Never throws. */
  async dispatch(request: AgentRequest, call: AgentCall): Promise<AgentResponse> {
    const fail = (error: ReturnType<typeof toAgentError>): AgentResponse => ({
      v: AGENT_PROTOCOL_VERSION,
      id: request.id,
      ok: false,
      error,
    });
    const entry = this.#methods.get(request.method);
    if (entry === undefined)
      return fail({ code: 'unknown_method', message: `The agent has no method "${request.method}".` });
    const params = entry.spec.params.safeParse(request.params);
    if (!params.success)
      return fail({
        code: 'invalid_params',
        message: `Invalid params for ${request.method}: ${params.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`)
          .join('; ')}`.slice(0, 2000),
      });
    try {
      const result = entry.spec.result.safeParse(await entry.handler(params.data, call));
      if (!result.success) {
        this.#log(`agent method ${request.method} produced an invalid result: ${result.error.message}`);
        return fail({ code: 'internal', message: 'The agent failed to answer this request.' });
      }
      return { v: AGENT_PROTOCOL_VERSION, id: request.id, ok: true, result: result.data };
    } catch (error) {
      if (!(error instanceof StrongroomError))
        this.#log(
          `agent method ${request.method} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      return fail(toAgentError(error));
    }
  }
}
