#!/usr/bin/env node
// `npm test` needs a few real system parts (ARCHITECTURE.md, test/). Check for them first and stop
// at once with the exact command that installs what is missing, instead of failing deep in a test.
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { codeServerDir, codeServerInstalled } from './codeServerPath.mjs';

const debianPackages = [
  { path: '/usr/bin/chromium', pkg: 'chromium', why: 'browser tests (WebAuthn virtual authenticator)' },
  { path: '/usr/bin/gnome-keyring-daemon', pkg: 'gnome-keyring', why: 'the OS keychain (Secret Service)' },
  { path: '/usr/bin/dbus-run-session', pkg: 'dbus', why: 'a private session bus for the keychain' },
  { path: '/usr/bin/secret-tool', pkg: 'libsecret-tools', why: 'inspecting the keychain in tests' },
  { path: '/usr/sbin/sshd', pkg: 'openssh-server', why: 'SSH certificate tests' },
  { path: '/usr/bin/ssh-keygen', pkg: 'openssh-client', why: 'SSH certificate tests' },
  { path: '/usr/bin/git', pkg: 'git', why: 'git credential helper tests' },
  { path: '/usr/bin/aws', pkg: 'awscli', why: 'AWS credential_process tests' },
  { path: '/usr/bin/swtpm', pkg: 'swtpm', why: 'TPM device-key tests (a software TPM 2.0)' },
  { path: '/usr/bin/swtpm_setup', pkg: 'swtpm-tools', why: 'TPM device-key tests (swtpm setup tools)' },
  {
    path: '/usr/bin/tpm2_createprimary',
    pkg: 'tpm2-tools',
    why: 'TPM device keys (the client drives the TPM with it)',
  },
];

const missing = debianPackages.filter((p) => !existsSync(p.path));
if (missing.length > 0) {
  console.error('npm test needs system packages that are not installed:');
  for (const m of missing) console.error(`  - ${m.pkg} (${m.path}): ${m.why}`);
  console.error(
    `\nInstall them with:\n  apt-get update && apt-get install -y ${missing.map((m) => m.pkg).join(' ')}\n`,
  );
  process.exit(1);
}

const pgHost = process.env.STRONGROOM_TEST_PG_HOST ?? '127.0.0.1';
const pgPort = Number(process.env.STRONGROOM_TEST_PG_PORT ?? 5432);
const reachable = await new Promise((resolve) => {
  const socket = createConnection({ host: pgHost, port: pgPort });
  socket.setTimeout(2000);
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => (socket.destroy(), resolve(false)));
});
if (!reachable) {
  console.error(
    `PostgreSQL is not reachable at ${pgHost}:${pgPort} (the store's conformance suite runs against it).`,
  );
  console.error(
    'Start it with:\n  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n',
  );
  process.exit(1);
}

// The VS Code extension's end-to-end tier runs in real code-server (issue 7). Skipping it must be
// explicit and loud, never silent.
if (process.env.STRONGROOM_SKIP_VSCODE_E2E === '1') {
  console.error(
    '\n' +
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' +
      '!! STRONGROOM_SKIP_VSCODE_E2E=1: the VS Code extension end-to-end test (code-  !!\n' +
      '!! server) is SKIPPED. This run does not test the extension in real VS Code.   !!\n' +
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n',
  );
} else if (!codeServerInstalled()) {
  console.error(`code-server 4.100.3 is not installed (expected in ${codeServerDir()}).`);
  console.error(
    'The VS Code extension end-to-end test runs in it. Install it (takes a few minutes, cached) with:\n' +
      '  test/scripts/install-code-server.sh\n' +
      'or skip that tier explicitly with STRONGROOM_SKIP_VSCODE_E2E=1.\n',
  );
  process.exit(1);
}
