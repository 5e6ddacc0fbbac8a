import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StrongroomError } from '../../errors/StrongroomError.js';
import type { TerminalRefusalReason } from '../../protocol/clientAuditApi.js';
import { containerCredentialsJson, type AwsCredentials } from './AwsCredentials.js';
import type { ContainerTerminal, TerminalVerifier } from './AwsTerminals.js';

export interface ContainerCredentialsServerOptions {
  /** The per-terminal tokens (the agent's, through AwsTerminals). */
  readonly terminals: TerminalVerifier;
  /** Credentials for a role under the terminal's grant (cached in memory by the caller). */
  readonly credentialsFor: (role: string, terminal: ContainerTerminal) => Promise<AwsCredentials>;
  /** Diagnostics; never called with a token or a credential. */
  readonly log?: (message: string) => void;
  /**
   * Each refused request, for the audit (the agent reports them to the broker, coalesced). Called
   * synchronously and must not throw or block; never given the presented token.
   */
  readonly onRefused?: (reason: TerminalRefusalReason, terminalId?: string) => void;
}

export interface ContainerCredentialsServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** The `AWS_CONTAINER_CREDENTIALS_FULL_URI` for a role. */
  urlFor(role: string): string;
  close(): Promise<void>;
}

const ROLE_PATH = '/role/';

/**
 * The loopback container-credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, which the AWS
 * SDKs and CLI accept on 127.0.0.1) for `GET /role/<role>`. The `Authorization` header must be a
 * live per-terminal token (`AWS_CONTAINER_AUTHORIZATION_TOKEN`) allowed that role; anything else gets
 * 401 (no or unknown token) or 403 (not this role, or the broker refused) with no detail, so a
 * guesser learns nothing (the agent's audit report says why: `onRefused`). Only 127.0.0.1, and the
 * Host header must name it (no DNS rebinding).
 */
export async function startContainerCredentialsServer(
  options: ContainerCredentialsServerOptions,
): Promise<ContainerCredentialsServer> {
  let port = 0;
  const refused = (reason: TerminalRefusalReason, terminalId?: string): void => {
    try {
      options.onRefused?.(reason, terminalId);
    } catch {
      // reporting must never change the answer
    }
  };
  const server = createServer((request, response) => {
    void handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, { message: 'internal error' });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      options.log?.('container credentials: refused a request for another Host (DNS rebinding?)');
      refused('foreign-host');
      send(response, 403, { message: 'forbidden' });
      return;
    }
    if (request.method !== 'GET') {
      send(response, 405, { message: 'method not allowed' });
      return;
    }
    const path = (request.url ?? '').split('?', 1)[0] ?? '';
    let role: string;
    try {
      role = path.startsWith(ROLE_PATH) ? decodeURIComponent(path.slice(ROLE_PATH.length)) : '';
    } catch {
      role = '';
    }
    const authorization = request.headers.authorization;
    const terminal =
      typeof authorization === 'string' && authorization.length > 0
        ? options.terminals.verify(authorization)
        : undefined;
    if (terminal === undefined) {
      // The caller learns nothing; the agent's log (never the token) says it happened.
      options.log?.(
        `container credentials: refused a request without a live terminal token (${request.method ?? ''} ${path.slice(0, 100)})`,
      );
      refused(typeof authorization === 'string' && authorization.length > 0 ? 'unknown-token' : 'no-token');
      send(response, 401, { message: 'unauthorized' });
      return;
    }
    if (role === '' || (terminal.role !== undefined && terminal.role !== role)) {
      options.log?.(
        `container credentials: terminal "${terminal.label}" may not fetch role "${role.slice(0, 100)}"`,
      );
      refused('role-not-allowed', terminal.terminalId);
      send(response, 403, { message: 'forbidden' });
      return;
    }
    let credentials: AwsCredentials;
    try {
      credentials = await options.credentialsFor(role, terminal);
    } catch (error) {
      const code = error instanceof StrongroomError ? error.code : 'internal';
      options.log?.(`container credentials for "${role}" (${terminal.label}) failed: ${code}`);
      // The broker refused (grant ended, role not granted): this terminal's token dies with it.
      if (code === 'denied') {
        if (terminal.grantId !== null) options.terminals.revokeGrant(terminal.grantId);
        send(response, 403, { message: 'forbidden' });
      } else send(response, 503, { message: 'credentials unavailable' });
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(containerCredentialsJson(credentials));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  server.keepAliveTimeout = 5_000;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    urlFor: (role) => `${origin}${ROLE_PATH}${encodeURIComponent(role)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, body: { message: string }): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
