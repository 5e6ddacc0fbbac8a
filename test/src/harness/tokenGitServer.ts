import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess, STRONGROOM_BIN, type CliRun } from '@strongroom/cli/testing/runStrongroom.js';
import { createServiceTokenVerifier } from '@strongroom/shared/service-auth/createServiceTokenVerifier.js';
import { startGitHttpServer, type GitHttpServer } from './gitHttpServer.js';

/** The demo catalog's git service (`ml-git`) audience. */
export const DEMO_GIT_AUDIENCE = 'https://git.ml.internal';
/** What the seeded repository's one commit holds (`tokenizer.json`). */
export const SEEDED_TOKENIZER = '{"vocab": 32000}\n';

export interface TokenGitServer {
  readonly git: GitHttpServer;
  /** `<git.url>/models.git` */
  readonly repoUrl: string;
  /** Every token the verifier accepted: its subject and grants. */
  readonly accepted: Array<{ subject: string; grants: readonly string[] }>;
  close(): Promise<void>;
}

/**
 * A git host that takes Strongroom service tokens: a bare `models.git` with one commit
 * (`tokenizer.json`) under `dir`, served by `git http-backend` (startGitHttpServer) on 127.0.0.1,
 * accepting only tokens the shared verifier accepts (the broker's JWKS, `audience`, expiry, and the
 * broker's denylist read on every request). A refusal answers a Basic challenge, so git asks its
 * credential helpers.
 */
export async function startTokenGitServer(options: {
  issuer: string;
  dir: string;
  audience?: string;
}): Promise<TokenGitServer> {
  const root = join(options.dir, 'repos');
  const seed = join(options.dir, 'seed');
  mkdirSync(root, { recursive: true });
  const git = async (args: string[], cwd?: string): Promise<void> => {
    const r = await runProcess('git', args, cwd === undefined ? {} : { cwd });
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  };
  await git(['init', '--bare', '--initial-branch=main', join(root, 'models.git')]);
  await git(['init', '--initial-branch=main', seed]);
  writeFileSync(join(seed, 'tokenizer.json'), SEEDED_TOKENIZER);
  await git(['add', 'tokenizer.json'], seed);
  await git(
    ['-c', 'user.name=Seed', '-c', 'user.email=seed@example.test', 'commit', '-m', 'tokenizer'],
    seed,
  );
  await git(['push', join(root, 'models.git'), 'main'], seed);

  const accepted: Array<{ subject: string; grants: readonly string[] }> = [];
  const verifier = createServiceTokenVerifier({
    issuer: options.issuer,
    audience: options.audience ?? DEMO_GIT_AUDIENCE,
    denylistIntervalMs: 0, // every request sees the broker's current denylist
  });
  const server = await startGitHttpServer({
    projectRoot: root,
    authorize: async (req, url) => {
      const result = await verifier.verify({
        authorization: req.headers.authorization,
        dpop: req.headers.dpop,
        method: req.method ?? 'GET',
        url: url.href,
      });
      if (!result.ok)
        return {
          ok: false,
          status: result.status,
          challenge: `Basic realm="ml-git", ${result.wwwAuthenticate.replace(/^\S+ /, '')}`,
        };
      accepted.push({ subject: result.token.subject, grants: result.token.grants });
      return { ok: true, user: result.token.subject };
    },
  });
  return { git: server, repoUrl: `${server.url}/models.git`, accepted, close: () => server.close() };
}

/**
 * `git clone <url> <dest>` (dest removed first) with only `strongroom git-credential` (this
 * checkout's CLI) as credential helper and never a prompt, in `env` (the person's CLI environment).
 */
export function cloneWithStrongroomHelper(
  url: string,
  dest: string,
  env: NodeJS.ProcessEnv,
): Promise<CliRun> {
  rmSync(dest, { recursive: true, force: true });
  const helper = `!"${process.execPath}" "${STRONGROOM_BIN}" git-credential`;
  return runProcess(
    'git',
    ['-c', 'credential.helper=', '-c', `credential.helper=${helper}`, 'clone', url, dest],
    {
      env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '' },
    },
  );
}
