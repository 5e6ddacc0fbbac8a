import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStrongroomWithInput } from '@strongroom/cli/testing/runStrongroom.js';
import { AgentClient } from '@strongroom/shared/agent/AgentClient.js';
import { createServiceTokenVerifier } from '@strongroom/shared/service-auth/createServiceTokenVerifier.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleWithoutPosture } from './harness/bundleWithoutPosture.js';
import { cliPeople, type CliPeople } from './harness/cliPeople.js';
import type { GitHttpServer } from './harness/gitHttpServer.js';
import { startSocketAgent } from './harness/socketAgent.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import {
  cloneWithStrongroomHelper,
  DEMO_GIT_AUDIENCE as GIT_AUDIENCE,
  SEEDED_TOKENIZER,
  startTokenGitServer,
  type TokenGitServer,
} from './harness/tokenGitServer.js';
import { until } from './harness/until.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Issue 6 items 2, 4, 5 end to end: the real broker (default bundle without the posture rules:
 * this CI machine's posture is not ours to choose), two people signed in with the real CLI and
 * Chromium virtual keys, and a real `git clone` over smart HTTP from `git http-backend` behind a
 * Node server that accepts only tokens the shared verifier (`createServiceTokenVerifier`: JWKS,
 * audience, expiry, the broker's denylist) accepts. git gets the token through
 * `strongroom git-credential`: refused without a grant, works within one, refused again once the
 * grant is dropped (the cached token is on the denylist; git's `erase` wipes it; a new exchange is
 * refused). kubectl's `strongroom kube-credential` answer is checked against ExecCredential v1.
 */
describe('git and kubectl credentials from token exchange (real broker, CLI, git http-backend)', () => {
  let work: string;
  let broker: RunningBroker;
  let people: CliPeople;
  let gitHost: TokenGitServer;
  let git: GitHttpServer;
  /** A stand-in model registry that checks DPoP-bound tokens with the shared verifier. */
  let registry: Server;
  let registryUrl: string;
  let accepted: TokenGitServer['accepted'];

  const json = <T>(r: Run): T => {
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  const alice = (args: readonly string[]) => people.run('alice', args);

  /** `git clone` as alice with only the Strongroom helper configured, never prompting. */
  const clone = (dest: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
    cloneWithStrongroomHelper(gitHost.repoUrl, dest, { ...people.person('alice').cli.env, ...extraEnv });

  /** Runs the helper as git would, with `input` on stdin. */
  const helper = (action: string, input: string): Promise<Run> =>
    runStrongroomWithInput(['git-credential', action], people.person('alice').cli.env, input);

  const grantFor = async (target: string): Promise<string> => {
    const created = json<{ request: { id: string } }>(
      await alice([
        'request',
        target,
        '--for',
        '30m',
        '--reason',
        'push the new tokenizer config (e2e)',
        '--json',
      ]),
    );
    json(await people.run('bob', ['approve', created.request.id, '--json']));
    const grants = json<{ grants: Array<{ id: string; requestId: string }> }>(
      await alice(['grants', '--json']),
    );
    const grantId = grants.grants.find((g) => g.requestId === created.request.id)?.id ?? '';
    json(await alice(['activate', grantId, '--json']));
    return grantId;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sr-git-e2e-'));
    broker = await startBroker({ args: ['--demo', '--policy', bundleWithoutPosture(work)] });
    people = await cliPeople(broker);
    await people.add('alice', ['ml-engineers']);
    await people.add('bob', ['team-leads']);

    // A bare repository with one commit, served by git's own http-backend behind the shared verifier.
    gitHost = await startTokenGitServer({ issuer: broker.issuer, dir: work });
    git = gitHost.git;
    accepted = gitHost.accepted;
    expect((await alice(['config', 'git-host', git.host, 'ml-git'])).code).toBe(0);

    const registryVerifier = createServiceTokenVerifier({
      issuer: broker.issuer,
      audience: 'https://model-registry.ml.internal',
      requireDpop: true,
      denylistIntervalMs: 0,
    });
    registry = createServer((req, res) => {
      const url = new URL(req.url ?? '/', registryUrl);
      void registryVerifier
        .verify({
          authorization: req.headers.authorization,
          dpop: req.headers.dpop,
          method: req.method ?? 'GET',
          url: url.href,
        })
        .then((result) => {
          if (!result.ok) {
            res.writeHead(result.status, { 'www-authenticate': result.wwwAuthenticate });
            res.end();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ models: ['churn-v3'], user: result.token.subject }));
        });
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await git?.close();
    await new Promise((resolve) => (registry ? registry.close(resolve) : resolve(undefined)));
    await people?.close();
    await broker?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses the clone without a grant: the helper says why and stops git from prompting', async () => {
    const dest = join(work, 'no-grant');
    const r = await clone(dest);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no active grant covers Service "ml-git"/);
    expect(r.stderr).toMatch(/told us to quit/);
    expect(existsSync(join(dest, 'tokenizer.json'))).toBe(false);
    expect(accepted).toEqual([]);
  });

  it('answers only for configured hosts, ignores store, and never over plain http to another host', async () => {
    expect(await helper('get', 'protocol=https\nhost=github.com\n\n')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(
      await helper('store', `protocol=http\nhost=${git.host}\nusername=x\npassword=y\n\n`),
    ).toMatchObject({
      code: 0,
      stdout: '',
    });
    expect((await alice(['config', 'git-host', 'git.example.com', 'ml-git'])).code).toBe(0);
    const clear = await helper('get', 'protocol=http\nhost=git.example.com\n\n');
    expect(clear.stdout).toBe('quit=1\n');
    expect(clear.stderr).toMatch(/refusing to send a token to http:\/\/git.example.com/);
    expect((await alice(['config', 'git-host', 'git.example.com', '--remove'])).code).toBe(0);
    expect((await helper('frobnicate', '')).code).toBe(2);
  });

  it('clones within a grant; kube-credential and token --audience work; dropping the grant stops all of it', async () => {
    const grantId = await grantFor('ml-researcher');
    const dest = join(work, 'granted');
    const ok = await clone(dest);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dest, 'tokenizer.json'), 'utf8')).toBe(SEEDED_TOKENIZER);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.every((a) => a.grants.includes(grantId))).toBe(true);
    // Nothing secret in the clone's config (the helper is not even configured there).
    expect(readFileSync(join(dest, '.git', 'config'), 'utf8')).not.toMatch(/eyJ/);

    // kubectl's exec plugin: exactly an ExecCredential v1 on stdout.
    const kube = await alice(['kube-credential', '--cluster', 'k8s-training']);
    expect(kube.code, kube.stderr).toBe(0);
    const credential = JSON.parse(kube.stdout) as Record<string, unknown>;
    expect(Object.keys(credential).sort()).toEqual(['apiVersion', 'kind', 'status']);
    expect(credential).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
    });
    const status = credential['status'] as { token: string; expirationTimestamp: string };
    expect(Object.keys(status).sort()).toEqual(['expirationTimestamp', 'token']);
    expect(status.expirationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const kubeClaims = decodeJwt(status.token);
    expect(kubeClaims).toMatchObject({ aud: 'https://k8s-training.ml.internal', grants: [grantId] });
    // From expires_in, counted from before the request: never later than the token's own exp.
    const expiresAt = Date.parse(status.expirationTimestamp);
    expect(expiresAt).toBeLessThanOrEqual((kubeClaims.exp as number) * 1000);
    expect(expiresAt).toBeGreaterThan((kubeClaims.exp as number) * 1000 - 5_000);
    expect(kube.stderr).toBe('');
    // A second call is served from the keychain: the same token.
    expect(JSON.parse((await alice(['kube-credential', '--cluster', 'k8s-training'])).stdout)).toEqual(
      credential,
    );

    // A DPoP-bound token for an HTTP service.
    const registryToken = json<{
      token_type: string;
      audience: string;
      grant_id: string;
      access_token: string;
    }>(await alice(['token', '--audience', 'model-registry', '--json']));
    expect(registryToken).toMatchObject({
      token_type: 'DPoP',
      audience: 'https://model-registry.ml.internal',
      grant_id: grantId,
    });
    expect(decodeJwt(registryToken.access_token)['cnf']).toBeDefined();
    // Used the way a script would: the token, and a proof from this device's key per request.
    const modelsUrl = `${registryUrl}/v1/models?page=1`;
    const proof = await alice(['dpop-proof', 'GET', modelsUrl, '--audience', 'model-registry']);
    expect(proof.code, proof.stderr).toBe(0);
    const call = (headers: Record<string, string>) => fetch(modelsUrl, { headers });
    const listed = await call({
      authorization: `DPoP ${registryToken.access_token}`,
      dpop: proof.stdout.trim(),
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ models: ['churn-v3'] });
    const replayed = await call({
      authorization: `DPoP ${registryToken.access_token}`,
      dpop: proof.stdout.trim(),
    });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toMatch(/already used/);
    expect((await call({ authorization: `Bearer ${registryToken.access_token}` })).status).toBe(401);

    // The token git holds (from the keychain cache), to replay after the grant is gone.
    const held = await helper('get', `protocol=http\nhost=${git.host}\n\n`);
    const gitToken = /^password=(.+)$/m.exec(held.stdout)?.[1] ?? '';
    expect(decodeJwt(gitToken)).toMatchObject({ aud: GIT_AUDIENCE, grants: [grantId] });

    // Drop the grant. The tokens git and kubectl hold are revoked at the broker (denylist).
    json(await alice(['drop', grantId, '--json']));
    const revoked = (await (await fetch(`${broker.issuer}/api/v1/credentials/revoked`)).json()) as {
      revoked: Array<{ kind: string }>;
    };
    expect(revoked.revoked.map((r) => r.kind).sort()).toEqual(['git-token', 'kube-token', 'service-token']);

    // The git server's verifier now refuses the very token it accepted a moment ago.
    const replay = await fetch(`${git.url}/models.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`strongroom:${gitToken}`).toString('base64')}` },
    });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/revoked/);

    const after = join(work, 'after-drop');
    const refused = await clone(after);
    expect(refused.code).not.toBe(0);
    expect(existsSync(join(after, 'tokenizer.json'))).toBe(false);
    const again = await clone(after);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/no active grant covers Service "ml-git"|is not active/);
    const kubeAfter = await alice(['kube-credential', '--cluster', 'k8s-training']);
    expect(kubeAfter.code).toBe(4);
    expect(kubeAfter.stdout).toBe('');

    // Every issue and refusal is in the audit log, which still verifies.
    const file = join(work, 'audit.jsonl');
    expect((await broker.run(['audit', 'export', '--out', file])).code).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"credential.'));
    expect(
      lines.some(
        (l) => l.includes('"credential.issue"') && l.includes('"git-token"') && l.includes('"statusId":1'),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes('"credential.issue"') && l.includes('"statusId":2'))).toBe(true);
    expect(lines.some((l) => l.includes('"credential.revoke"') && l.includes(grantId))).toBe(true);
    expect((await broker.run(['audit', 'verify', file])).code).toBe(0);
  });

  it('through the agent: one exchange serves git, kubectl and the helper without the CLI opening the keychain; refusals read as alone; the grant end wipes it', async () => {
    const person = people.person('alice');
    const env = person.cli.env;
    // alice's own runtime directory: the CLI finds her agent's socket there and nowhere else.
    env['XDG_RUNTIME_DIR'] = join(person.cli.root, 'run-git');
    mkdirSync(env['XDG_RUNTIME_DIR'], { mode: 0o700 });
    const running = await startSocketAgent(env, { version: 'strongroom-git-e2e/1' });
    const { agent, profile, vault, serviceTokens } = running;
    // The helpers' environment without a keychain: a session bus address that leads nowhere, so
    // whatever they answer came through the agent's socket.
    const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/strongroom-git-e2e' };
    const ask = `protocol=http\nhost=${git.host}\npath=models.git\n\n`;
    const viaAgent = (action: string, input = ask) =>
      runStrongroomWithInput(['git-credential', action], { ...env, ...noKeychain }, input);
    const alone = (action: string, extra: NodeJS.ProcessEnv = {}) =>
      runStrongroomWithInput(['git-credential', action], { ...env, STRONGROOM_NO_AGENT: '1', ...extra }, ask);
    const kube = () => people.run('alice', ['kube-credential', '--cluster', 'k8s-training'], noKeychain);
    try {
      await until(
        'the agent is signed in and posture passes',
        () => agent.state.get().session.status === 'signedIn' && agent.state.get().posture.status === 'pass',
      );

      // No grant: the agent's refusal reads exactly like the helper's own, and git is told to quit.
      const refusedAlone = await alone('get');
      const refusedViaAgent = await viaAgent('get');
      expect(refusedViaAgent).toEqual(refusedAlone);
      expect(refusedViaAgent.stdout).toBe('quit=1\n');
      expect(refusedViaAgent.stderr).toMatch(/no active grant covers Service "ml-git"/);
      expect(serviceTokens.stats()).toEqual({ served: 0, fetched: 1 });

      const grantId = await grantFor('ml-researcher');
      await until('the agent knows the grant', () =>
        agent.state.get().grants.some((g) => g.id === grantId && g.state === 'active'),
      );

      // A real clone with the helper that cannot reach the keychain: the agent answers.
      const dest = join(work, 'via-agent');
      const cloned = await clone(dest, noKeychain);
      expect(cloned.code, cloned.stderr).toBe(0);
      expect(readFileSync(join(dest, 'tokenizer.json'), 'utf8')).toBe(SEEDED_TOKENIZER);
      // Control: alone, the same helper without a keychain cannot answer (so the check can fail).
      const blind = await alone('get', noKeychain);
      expect(blind.stdout).toBe('quit=1\n');
      expect(blind.stderr).toMatch(/keychain/i);

      // Several helper calls, one exchange: the same token each time, from the agent's memory.
      const answers = await Promise.all([viaAgent('get'), viaAgent('get'), viaAgent('get')]);
      const passwords = answers.map((a) => /^password=(.+)$/m.exec(a.stdout)?.[1]);
      for (const a of answers) {
        expect(a.code).toBe(0);
        expect(a.stderr).toBe('');
        expect(a.stdout).toMatch(/^username=strongroom\npassword=eyJ[^\n]+\npassword_expiry_utc=\d+\n$/);
      }
      expect(new Set(passwords).size).toBe(1);
      expect(decodeJwt(passwords[0] ?? '')).toMatchObject({ aud: GIT_AUDIENCE, grants: [grantId] });
      const kubeFirst = await kube();
      expect(kubeFirst.code, kubeFirst.stderr).toBe(0);
      expect(kubeFirst.stderr).toBe('');
      const credential = JSON.parse(kubeFirst.stdout) as { status: { token: string } };
      expect(Object.keys(credential).sort()).toEqual(['apiVersion', 'kind', 'status']);
      expect(decodeJwt(credential.status.token)).toMatchObject({
        aud: 'https://k8s-training.ml.internal',
        grants: [grantId],
      });
      expect(JSON.parse((await kube()).stdout)).toEqual(credential);
      // One fetch for git (the clone's first ask), one for the cluster; everything else from memory.
      const afterUse = serviceTokens.stats();
      expect(afterUse.fetched).toBe(3);
      expect(afterUse.served).toBeGreaterThanOrEqual(4);

      // git's erase (the server rejected the token) goes to the agent: the next get is a new exchange.
      expect(await viaAgent('erase')).toEqual({ code: 0, stdout: '', stderr: '' });
      const renewed = await viaAgent('get');
      expect(/^password=(.+)$/m.exec(renewed.stdout)?.[1]).not.toBe(passwords[0]);
      expect(serviceTokens.stats().fetched).toBe(4);

      // Malformed and foreign asks on the socket: refused with a reason, nothing fetched.
      const { endpoint } = running;
      const client = await AgentClient.connect(endpoint, process.getuid?.());
      if (client === undefined) throw new Error('the agent socket is not there');
      const before = serviceTokens.stats();
      try {
        const refusals: Array<[string, unknown, RegExp]> = [
          ['serviceToken.get', { audience: 'ml-git', scope: 'admin' }, /Invalid params.*scope|unrecognized/i],
          ['serviceToken.get', { audience: '' }, /Invalid params/],
          ['serviceToken.get', { audience: 'ml git' }, /Invalid params/],
          ['serviceToken.get', {}, /Invalid params/],
          ['serviceToken.get', { audience: 'ml-git', grantId: 'g'.repeat(300) }, /Invalid params/],
          ['serviceToken.erase', { audience: 'ml-git', profile: 'someone-else' }, /serves profile/],
          ['serviceToken.get', { audience: 'ml-git', profile: 'someone-else' }, /serves profile/],
        ];
        for (const [method, params, why] of refusals)
          await expect(client.request(method, params), JSON.stringify(params)).rejects.toThrow(why);
        // The generic credentials.get kind answers with the same held token.
        const generic = await client.request('credentials.get', { kind: 'service-token', target: 'ml-git' });
        expect(generic).toMatchObject({ grantId, credential: { tokenType: 'Bearer' } });
        expect(generic.credential['token']).toBe(/^password=(.+)$/m.exec(renewed.stdout)?.[1]);
      } finally {
        client.close();
      }
      expect(serviceTokens.stats().fetched).toBe(before.fetched);
      // A frame with an unknown envelope field: answered bad_frame and the connection closed.
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(endpoint.path);
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        socket.write(
          `${JSON.stringify({ v: 1, id: 1, method: 'serviceToken.get', params: { audience: 'ml-git' }, x: 1 })}\n`,
        );
      });
      expect(JSON.parse(raw)).toMatchObject({ ok: false, error: { code: 'bad_frame' } });
      expect(raw).not.toMatch(/eyJ/);

      // The grant ends: the agent drops what it held and the keychain entries; the next asks are
      // refused by the broker, nothing is served from memory.
      json(await alice(['drop', grantId, '--json']));
      await until('the agent wiped the grant', () => !agent.state.get().grants.some((g) => g.id === grantId));
      const served = serviceTokens.stats().served;
      const ended = await viaAgent('get');
      expect(ended.stdout).toBe('quit=1\n');
      expect(ended.stderr).toMatch(/no active grant covers Service "ml-git"|is not active/);
      const kubeEnded = await kube();
      expect(kubeEnded.code).toBe(4);
      expect(kubeEnded.stdout).toBe('');
      expect(kubeEnded.stderr).not.toMatch(/eyJ/);
      expect(serviceTokens.stats().served).toBe(served);
      expect((await vault.list(profile.name)).filter((n) => n.includes('.svc'))).toEqual([]);
      const refusedClone = await clone(join(work, 'via-agent-ended'), noKeychain);
      expect(refusedClone.code).not.toBe(0);
    } finally {
      await running.stop();
      delete env['XDG_RUNTIME_DIR'];
    }
  });
});
