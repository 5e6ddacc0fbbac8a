import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StrongroomError } from '../../errors/StrongroomError.js';
import type { AwsCredentials } from './AwsCredentials.js';
import {
  startContainerCredentialsServer,
  type ContainerCredentialsServer,
} from './containerCredentialsServer.js';
import { TerminalTokens } from '../../agent/TerminalTokens.js';
import { AwsTerminals, type ContainerTerminal } from './AwsTerminals.js';

// awscli retries a refused container endpoint three times with a 1 s sleep.
vi.setConfig({ testTimeout: 60_000 });

const credentials = (grantId: string): AwsCredentials => ({
  accessKeyId: 'ASIATESTKEY0000001',
  secretAccessKey: 'secret/for+tests',
  sessionToken: 'session-token-for-tests',
  expiration: Date.UTC(2030, 0, 1, 12, 0, 0),
  grantId,
  roleArn: 'arn:aws:iam::111122223333:role/strongroom/test',
});

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A raw GET, so the test controls every header (Host included). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The loopback container-credentials endpoint on its own (no agent): a real HTTP server on
 * 127.0.0.1, tokens from the real registry, and Debian's awscli as the client. Credentials come
 * from a plain function here: the endpoint, not the broker, is the part under test.
 */
describe('container-credentials endpoint', () => {
  let clock: number;
  let tokens: TerminalTokens;
  let terminals: AwsTerminals;
  let server: ContainerCredentialsServer;
  let asked: Array<{ role: string; terminal: ContainerTerminal }>;
  let refuse: StrongroomError | undefined;
  let logged: string[];
  let refusals: Array<[string, string | undefined]>;

  beforeEach(async () => {
    refusals = [];
    clock = Date.now();
    tokens = new TerminalTokens({ now: () => clock, after: () => () => undefined });
    terminals = new AwsTerminals(tokens);
    asked = [];
    refuse = undefined;
    logged = [];
    server = await startContainerCredentialsServer({
      log: (m) => logged.push(m),
      onRefused: (reason, terminalId) => refusals.push([reason, terminalId]),
      terminals,
      credentialsFor: (role, terminal) => {
        asked.push({ role, terminal });
        return refuse === undefined
          ? Promise.resolve(credentials(terminal.grantId ?? 'g0'))
          : Promise.reject(refuse);
      },
    });
  });
  afterEach(async () => server.close());

  /** The same token with its last character changed. */
  const tampered = (t: string): string => `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
  /** A terminal for one role (strongroom env aws), or with no role for any role of its grant (terminal.create). */
  const terminal = (role: string | undefined, grantId = 'g1', ttl = 3_600_000) =>
    role === undefined
      ? tokens.create({ label: 'test', grantId, expiresAt: clock + ttl })
      : terminals.create({ label: 'test', role, grantId, expiresAt: clock + ttl });
  const token = (role: string | undefined, grantId = 'g1', ttl = 3_600_000) =>
    terminal(role, grantId, ttl).token;

  it('answers the container credentials JSON to the terminal token, on 127.0.0.1 only', async () => {
    const t = token('r1');
    expect(Buffer.from(t, 'base64url')).toHaveLength(32); // 256 bits
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await get(server.urlFor('r1'), { authorization: t });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toEqual({
      AccessKeyId: 'ASIATESTKEY0000001',
      SecretAccessKey: 'secret/for+tests',
      Token: 'session-token-for-tests',
      Expiration: '2030-01-01T12:00:00.000Z',
      RoleArn: 'arn:aws:iam::111122223333:role/strongroom/test',
    });
    expect(asked).toEqual([
      { role: 'r1', terminal: expect.objectContaining({ grantId: 'g1', label: 'test' }) },
    ]);
    // Role names with slashes and colons travel encoded.
    const bucket = token('s3://corp-ml/raw/');
    expect((await get(server.urlFor('s3://corp-ml/raw/'), { authorization: bucket })).status).toBe(200);
  });

  it('refuses without detail: no token, a wrong one, a revoked or expired one, another role, a foreign Host, other methods', async () => {
    const t = token('r1');
    const cases: Array<[string, Record<string, string>, number, string?]> = [
      ['none', {}, 401],
      ['wrong', { authorization: tampered(t) }, 401],
      ['bearer-prefixed', { authorization: `Bearer ${t}` }, 401],
      ['huge', { authorization: 'x'.repeat(5000) }, 401],
      ['other role', { authorization: t }, 403, server.urlFor('r2')],
      ['no role', { authorization: t }, 403, `${server.origin}/role/`],
      ['rebinding', { authorization: t, host: `evil.example:${server.port}` }, 403],
    ];
    for (const [what, headers, status, url] of cases) {
      const answer = await get(url ?? server.urlFor('r1'), headers);
      expect(answer.status, what).toBe(status);
      expect(answer.body, what).not.toMatch(/ASIA|secret|token/i);
    }
    expect((await get(server.urlFor('r1'), { authorization: t }, 'POST')).status).toBe(405);
    expect(asked).toHaveLength(0);
    // Each refusal is in the agent's log, never with the presented token.
    expect(logged.filter((m) => /refused|may not fetch/.test(m))).toHaveLength(cases.length);
    expect(logged.join('\n')).not.toContain(t.slice(0, 20));
    // And each is handed to the audit report with its reason (the terminal when a live token was
    // refused), never the token; POST is not a token refusal.
    const live = expect.any(String) as unknown as string;
    expect(refusals).toEqual([
      ['no-token', undefined],
      ['unknown-token', undefined],
      ['unknown-token', undefined],
      ['unknown-token', undefined],
      ['role-not-allowed', live],
      ['role-not-allowed', live],
      ['foreign-host', undefined],
    ]);

    const closed = terminal('r1');
    expect(tokens.revoke(closed.terminalId)).toBe(true); // the terminal closed
    expect((await get(server.urlFor('r1'), { authorization: closed.token })).status).toBe(401);

    const short = token('r1', 'g1', 60_000);
    clock += 61_000;
    expect((await get(server.urlFor('r1'), { authorization: short })).status).toBe(401);
  });

  it('tokens die with their grant or their terminal; other terminals keep working', async () => {
    const a = token('r1', 'g1');
    const b = token('r1', 'g1');
    const c = token(undefined, 'g2'); // a terminal for any role of grant g2
    expect(terminals.revokeGrant('g1')).toBe(2);
    for (const t of [a, b]) expect((await get(server.urlFor('r1'), { authorization: t })).status).toBe(401);
    expect((await get(server.urlFor('anything'), { authorization: c })).status).toBe(200);
    const [left] = tokens.list();
    expect(tokens.revoke(left?.terminalId ?? '')).toBe(true);
    expect((await get(server.urlFor('anything'), { authorization: c })).status).toBe(401);
  });

  it('a broker refusal (the grant ended) is a 403 and kills the tokens of that grant', async () => {
    const t = token('r1', 'g1');
    const other = token('r1', 'g2');
    refuse = new StrongroomError(
      'denied',
      'The broker denied POST /api/v1/credentials/aws-web-identity: grant ended.',
    );
    expect((await get(server.urlFor('r1'), { authorization: t })).status).toBe(403);
    refuse = undefined;
    expect((await get(server.urlFor('r1'), { authorization: t })).status).toBe(401);
    expect((await get(server.urlFor('r1'), { authorization: other })).status).toBe(200);
    // An unreachable broker is not a refusal: 503, and the token lives on.
    refuse = new StrongroomError('broker_unreachable', 'down');
    expect((await get(server.urlFor('r1'), { authorization: other })).status).toBe(503);
    refuse = undefined;
    expect((await get(server.urlFor('r1'), { authorization: other })).status).toBe(200);
  });

  describe('with Debian awscli (aws configure export-credentials)', () => {
    let home: string;
    beforeEach(() => {
      home = mkdtempSync(join(tmpdir(), 'strongroom-awscli-'));
    });
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    const awscli = async (env: Record<string, string>) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(
          '/usr/bin/aws',
          ['configure', 'export-credentials', '--format', 'process'],
          {
            env: {
              PATH: '/usr/bin:/bin',
              HOME: home,
              AWS_CONFIG_FILE: join(home, 'none-config'),
              AWS_SHARED_CREDENTIALS_FILE: join(home, 'none-credentials'),
              AWS_EC2_METADATA_DISABLED: 'true',
              ...env,
            },
          },
        );
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    };

    it('gets the credentials through AWS_CONTAINER_CREDENTIALS_FULL_URI with the right token, and nothing without it', async () => {
      const t = token('r1');
      const ok = await awscli({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: server.urlFor('r1'),
        AWS_CONTAINER_AUTHORIZATION_TOKEN: t,
      });
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({
        Version: 1,
        AccessKeyId: 'ASIATESTKEY0000001',
        SecretAccessKey: 'secret/for+tests',
        SessionToken: 'session-token-for-tests',
      });
      expect(Date.parse((JSON.parse(ok.stdout) as { Expiration: string }).Expiration)).toBe(
        Date.UTC(2030, 0, 1, 12, 0, 0),
      );
      const wrongOrNone: Array<Record<string, string>> = [
        { AWS_CONTAINER_AUTHORIZATION_TOKEN: tampered(t) },
        {},
      ];
      for (const bad of wrongOrNone) {
        const refused = await awscli({ AWS_CONTAINER_CREDENTIALS_FULL_URI: server.urlFor('r1'), ...bad });
        expect(refused.code).not.toBe(0);
        expect(refused.stdout).not.toContain('ASIATESTKEY');
      }
    });
  });
});
