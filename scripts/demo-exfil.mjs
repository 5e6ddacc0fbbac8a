#!/usr/bin/env node
// Demo (issue 9): a script that pulls credentials in a loop gets its user locked automatically.
//
//   npm run demo:exfil -- [--host-group gpu-a100] [--count 120] [--interval-ms 100]
//
// Runs as the signed-in CLI profile (STRONGROOM_PROFILE or the default), which must hold an active
// grant covering the host group (e.g. ml-researcher for gpu-a100; see README "Alerts and locks").
// It keeps `strongroom watch` running, then asks for a fresh SSH certificate again and again
// (`strongroom ssh-cert`, each one a new credential.issue record). The broker's issuance-volume
// detector sees far more issuances than this person's baseline (default bundle: more than 40 in
// 5 minutes, or 25 of a restricted tier) and locks the account: sessions and grants end, the
// certificates are revoked (KRL), and `strongroom watch` wipes the profile's keychain entries and
// prints why. Uses a private ssh-agent when SSH_AUTH_SOCK is not set. Exit 0 once locked, after
// telling the person running the demo where the admin sees the alert and the lock, and how another
// admin unlocks (the lock page, a reason and a key touch).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STRONGROOM = fileURLToPath(new URL('../cli/bin/strongroom.js', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const hostGroup = arg('--host-group', 'gpu-a100');
const count = Number(arg('--count', '120'));
const intervalMs = Number(arg('--interval-ms', '100'));

const env = { ...process.env };
let agentDir;
if (!env.SSH_AUTH_SOCK) {
  agentDir = mkdtempSync(join(tmpdir(), 'strongroom-demo-agent-'));
  const socket = join(agentDir, 'agent.sock');
  const started = spawnSync('ssh-agent', ['-a', socket], { encoding: 'utf8' });
  if (started.status !== 0) {
    process.stderr.write(`demo: could not start ssh-agent: ${started.stderr}\n`);
    process.exit(1);
  }
  env.SSH_AUTH_SOCK = socket;
  env.SSH_AGENT_PID = /SSH_AGENT_PID=(\d+)/.exec(started.stdout)?.[1] ?? '';
}

const run = (args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [STRONGROOM, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

// Who runs the demo (the keychain is wiped by the lock, so asked first).
let user = 'the user';
try {
  user = JSON.parse((await run(['status', '--json'])).stdout).email ?? user;
} catch {
  // not signed in: the pulls below say so
}

const watch = spawn(process.execPath, [STRONGROOM, 'watch'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let watchErr = '';
watch.stdout.on('data', (d) => process.stdout.write(`  [watch] ${d}`));
watch.stderr.on('data', (d) => {
  watchErr += d;
  process.stdout.write(`  [watch] ${d}`);
});
const watchDone = new Promise((resolve) => watch.on('close', resolve));

let locked = false;
let pulled = 0;
for (let i = 1; i <= count; i++) {
  const r = await run(['ssh-cert', hostGroup, '--ttl', '60s', '--json']);
  if (r.code === 0) {
    pulled += 1;
    const serial = /"serial"\s*:\s*"?(\d+)/.exec(r.stdout)?.[1] ?? '?';
    process.stdout.write(`pull #${i}: SSH certificate for ${hostGroup} (serial ${serial})\n`);
  } else {
    process.stdout.write(`pull #${i}: refused (exit ${r.code}): ${r.stderr.trim().split('\n')[0]}\n`);
    // 3: not signed in (the session was ended); 4: denied. Either way the broker cut us off.
    if (r.code === 3 || r.code === 4 || /locked|session has ended|refused/i.test(r.stderr)) {
      locked = true;
      break;
    }
  }
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
// The watch exits by itself on session.revoked; give it a moment, then stop it.
await Promise.race([watchDone, new Promise((resolve) => setTimeout(resolve, 5000))]);
watch.kill();
if (env.SSH_AGENT_PID) spawnSync('kill', [env.SSH_AGENT_PID]);
if (agentDir) rmSync(agentDir, { recursive: true, force: true });
// Where the person running the demo looks next: the broker of this profile (the config file holds
// no secrets and outlives the lock).
const profileConfig = await run(['config', 'show', '--json']);
let broker = 'http://localhost:7700';
try {
  const config = JSON.parse(profileConfig.stdout);
  broker = config.profiles[env.STRONGROOM_PROFILE ?? config.currentProfile]?.broker ?? broker;
} catch {
  // keep the default broker of `npm start`
}
const signedOut = /signed out: [^\n]*/.exec(watchErr)?.[0];
process.stdout.write(
  locked
    ? [
        '',
        `LOCKED after ${pulled} certificates.${signedOut ? ` ${signedOut}` : ''}`,
        '',
        'Next, as an admin:',
        `  1. Open ${broker}/admin and sign in with your security key. The dashboard shows the alert`,
        `     under "Open alerts" (critical: credential issuances far above the baseline) and ${user}`,
        '     under "Locked principals". On the broker\'s host: strongroom-broker alerts, strongroom-broker locks --active.',
        `  2. Unlock as an admin other than ${user} (an automatic lock has no locker, so any other admin may):`,
        `     ${broker}/admin/locks, "Unlock ${user}…", give a reason, press "Unlock with security key", touch your key.`,
        `  3. ${user} signs in again: strongroom login (old sessions stay ended; the audit log has the`,
        '     alert, the lock and the unlock: strongroom-broker audit export --out a.jsonl && strongroom-broker audit verify a.jsonl).',
        '',
      ].join('\n')
    : `\nNot locked after ${pulled} certificates (is the detector configured differently?).\n`,
);
process.exit(locked ? 0 : 1);
