#!/usr/bin/env node
// Demo (issue 6 "Done when"): one grant gives ssh with no key on disk, temporary AWS keys that
// expire with the grant, and git clone through the helper; ending the grant stops all three.
//
//   npm run demo:credentials -- [--host-group gpu-a100] [--role ml-researcher] [--git-service ml-git]
//
// Needs: the broker running (`npm start`, from this directory: the script reads the SSH CA and the
// audit log with `strongroom-broker` from the same store, ./.strongroom or STRONGROOM_DATA_DIR); the
// signed-in CLI profile (STRONGROOM_PROFILE or the default) holding an ACTIVE grant that covers the
// host group, the AWS role and the git service, with more than 15 minutes left (STS's floor): the
// demo's ml-researcher covers gpu-a100, the checkpoints bucket's role and ml-git (README "Short-lived
// credentials: one grant, three tools"); the local sshd runs as you (accepting only you) or root; Debian's
// openssh-server, awscli and git; a build (`npx tsc -b`: the stand-ins are the e2e harness's, from
// test/dist and shared/dist).
//
// There is no real GPU host, AWS or git server in the demo, so the script starts stand-ins on
// 127.0.0.1, exactly as test/src/credentialsDemo.test.ts does: sshd trusting the broker's CA and its
// KRL, an STS that verifies the broker's web-identity token against its JWKS, and git http-backend
// behind the shared token verifier. The CLI runs with a temporary copy of your CLI config pointing
// at them (your own config is not changed). At the end the script DROPS THE GRANT (that is the
// point), from a shell without the ssh-agent, refreshes the host's KRL, and shows all three fail.
// Exit 0 when every step behaved as described.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = async (path) => import(new URL(`../${path}`, import.meta.url).href);
const { startSshd, fetchKrl } = await built('test/dist/harness/startSshd.js');
const { startSshAgent } = await built('test/dist/harness/sshAgent.js');
const { sshLogin } = await built('test/dist/harness/sshClient.js');
const { keyMaterialIn } = await built('test/dist/harness/keyMaterialIn.js');
const { awscli, credentialProcessConfig, DEMO_CHECKPOINTS_ROLE_ARN } = await built(
  'test/dist/harness/awscli.js',
);
const { startTokenGitServer, cloneWithStrongroomHelper, DEMO_GIT_AUDIENCE } = await built(
  'test/dist/harness/tokenGitServer.js',
);
const { StsStandIn } = await built('shared/dist/credentials/aws/fixtures/StsStandIn.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const hostGroup = arg('--host-group', 'gpu-a100');
const role = arg('--role', 'ml-researcher');
const gitService = arg('--git-service', 'ml-git');

const STRONGROOM = join(root, 'cli/bin/strongroom.js');
const BROKER = join(root, 'broker/dist/bin/strongroom-broker.js');
const work = mkdtempSync(join(tmpdir(), 'strongroom-demo-creds-'));
const started = Date.now();
let failed = false;
const step = (ok, text) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${text}\n`);
  if (!ok) failed = true;
};
const run = (command, args, env) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
const firstLine = (text) => text.trim().split('\n')[0] ?? '';
/** The line of a tool's stderr that gives the reason (the broker's words), else its last line. */
const why = (text) => {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return (
    lines.find((l) => /denied|no active grant|not active|revoked|refused/i.test(l)) ?? lines.at(-1) ?? ''
  );
};

// The CLI with a private copy of the user's config, so pointing it at the stand-ins changes nothing of theirs.
const userConfig = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'strongroom');
const env = { ...process.env, XDG_CONFIG_HOME: join(work, 'config') };
mkdirSync(join(work, 'config'));
if (existsSync(userConfig)) cpSync(userConfig, join(work, 'config', 'strongroom'), { recursive: true });
const cli = (args, extra = {}) => run(process.execPath, [STRONGROOM, ...args], { ...env, ...extra });

const cleanup = [];
try {
  const status = await cli(['status', '--json']);
  if (status.code !== 0)
    throw new Error(`the CLI is not signed in: ${firstLine(status.stderr)} (run \`strongroom login\`)`);
  const { broker, issuer } = JSON.parse(status.stdout); // the broker's URL and its token issuer
  const ca = await run(process.execPath, [BROKER, 'ssh', 'ca'], process.env);
  if (ca.code !== 0) throw new Error(`strongroom-broker ssh ca failed: ${firstLine(ca.stderr)}`);

  // 1. SSH: a key made in memory, certified for the host group, held by a private ssh-agent only.
  const agent = await startSshAgent(work);
  cleanup.push(() => agent.stop());
  const certRun = await cli(['ssh-cert', hostGroup, '--json'], agent.env);
  if (certRun.code !== 0)
    throw new Error(`ssh-cert ${hostGroup}: ${firstLine(certRun.stderr)} (is a grant active?)`);
  const cert = JSON.parse(certRun.stdout);
  const grantId = cert.grantId;
  const grant = JSON.parse((await cli(['grants', '--json'])).stdout).grants.find((g) => g.id === grantId);
  process.stdout.write(
    `Grant ${grantId} (${grant?.target?.id ?? role}) ends ${new Date(grant?.expiresAt).toISOString()}\n`,
  );
  const user = userInfo().username;
  const host = await startSshd({
    caPublicKey: ca.stdout,
    principals: { [user]: cert.principals },
    krl: await fetchKrl(broker),
  });
  cleanup.push(() => host.stop());
  const blob = cert.certificate.split(' ')[1];
  const login = await sshLogin(host, { dir: work, user, agentSocket: agent.socket });
  step(
    login.code === 0,
    `ssh ${user}@127.0.0.1:${host.port} (${hostGroup} stand-in) logged in with certificate serial ${cert.serial}`,
  );
  const strongroomDirs = ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME']
    .map((v, i) =>
      join(
        process.env[v] || join(homedir(), ['.config', '.local/share', '.local/state', '.cache'][i]),
        'strongroom',
      ),
    )
    .concat(join(homedir(), '.ssh'), process.cwd())
    .filter((d) => existsSync(d));
  const hits = keyMaterialIn(strongroomDirs, blob, started);
  step(
    hits.length === 0 && agent.keys().includes(blob),
    `no private key on disk (${strongroomDirs.join(', ')}); the key lives in ssh-agent only`,
  );

  // 2. AWS: awscli runs `strongroom credential-process`; the STS stand-in verifies the broker's token.
  const sts = await new StsStandIn({ issuer, roles: [DEMO_CHECKPOINTS_ROLE_ARN] }).start();
  cleanup.push(() => sts.stop());
  await cli(['config', 'set-aws', '--sts-endpoint', sts.url]);
  mkdirSync(join(work, 'aws'));
  const awsEnv = { ...env, ...credentialProcessConfig(join(work, 'aws'), role) };
  const exportCreds = () =>
    awscli(['configure', 'export-credentials', '--format', 'process', '--profile', 'sr'], awsEnv);
  const aws = await exportCreds();
  const keys = aws.code === 0 ? JSON.parse(aws.stdout) : {};
  const expiration = Date.parse(keys.Expiration ?? '');
  step(
    aws.code === 0 &&
      /^ASIA/.test(keys.AccessKeyId) &&
      expiration <= grant?.expiresAt &&
      expiration <= Date.now() + 3600_000,
    aws.code === 0
      ? `aws configure export-credentials: temporary key ${keys.AccessKeyId.slice(0, 8)}…, Expiration ${keys.Expiration} (not after the grant, within 1 h)`
      : `aws configure export-credentials failed: ${firstLine(aws.stderr)}`,
  );
  step(sts.issued[0]?.claims.grant_id === grantId, `STS was shown a web-identity token for grant ${grantId}`);

  // 3. git: a clone with only `strongroom git-credential` as the helper.
  const gitHost = await startTokenGitServer({ issuer, dir: join(work, 'git'), audience: DEMO_GIT_AUDIENCE });
  cleanup.push(() => gitHost.close());
  await cli(['config', 'git-host', gitHost.git.host, gitService]);
  const cloned = await cloneWithStrongroomHelper(gitHost.repoUrl, join(work, 'clone'), env);
  step(
    cloned.code === 0 && gitHost.accepted.every((a) => a.grants.includes(grantId)),
    `git clone ${gitHost.repoUrl}${cloned.code === 0 ? '' : `: ${firstLine(cloned.stderr)}`}`,
  );

  // The grant ends: dropped from a shell without the agent, so the certificate stays there and only
  // the host's KRL (refreshed as its cron job would) can stop it.
  const drop = await cli(['drop', grantId], { SSH_AUTH_SOCK: '' });
  step(drop.code === 0, `strongroom drop ${grantId}${drop.code === 0 ? '' : `: ${firstLine(drop.stderr)}`}`);
  host.setKrl(await fetchKrl(broker));
  const logBefore = host.output().length;
  const sshAfter = await sshLogin(host, { dir: work, user, agentSocket: agent.socket });
  step(
    sshAfter.code !== 0 && /revoked/.test(host.output().slice(logBefore)) && agent.keys().includes(blob),
    `ssh refused by sshd: ${firstLine(
      host
        .output()
        .slice(logBefore)
        .split('\n')
        .find((l) => /revoked/.test(l)) ?? sshAfter.stderr,
    )}`,
  );
  const awsAfter = await exportCreds();
  step(
    awsAfter.code !== 0 && !awsAfter.stdout.includes('ASIA'),
    `aws configure export-credentials refused: ${why(awsAfter.stderr)}`,
  );
  const cloneAfter = await cloneWithStrongroomHelper(gitHost.repoUrl, join(work, 'clone-after'), env);
  step(cloneAfter.code !== 0, `git clone refused: ${why(cloneAfter.stderr)}`);

  // The audit log, read from the broker's store as `strongroom-broker audit export` writes it.
  const auditFile = join(work, 'audit.jsonl');
  await run(process.execPath, [BROKER, 'audit', 'export', '--out', auditFile], process.env);
  const records = readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l).record)
    .filter((r) => r?.data?.grantId === grantId);
  const issued = records.filter((r) => r.activity === 'credential.issue' && r.statusId === 1);
  const revoked = records.find((r) => r.activity === 'credential.revoke')?.data.credentials ?? [];
  const kinds = [...new Set(issued.map((r) => r.data.kind))].sort();
  step(
    kinds.join() === 'aws-web-identity,git-token,ssh-certificate' &&
      issued.every((r) => revoked.some((c) => c.id === r.data.credentialId)),
    `audit: credential.issue for ${kinds.join(', ')}; one credential.revoke naming all ${revoked.length}`,
  );
  const verified = await run(process.execPath, [BROKER, 'audit', 'verify', auditFile], process.env);
  step(
    verified.code === 0,
    `strongroom-broker audit verify: ${firstLine(verified.stdout || verified.stderr)}`,
  );
} catch (error) {
  step(false, error instanceof Error ? error.message : String(error));
} finally {
  for (const stop of cleanup.reverse()) await stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
