#!/usr/bin/env node
// Runs every test (unit and end-to-end) with vitest inside a private D-Bus session that has an
// unlocked gnome-keyring, so keychain tests use the real Secret Service.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const withKeyring = fileURLToPath(new URL('./with-keyring.sh', import.meta.url));
const args = process.argv.slice(2);
const vitestArgs = args.includes('--e2e-only') ? ['test/src'] : args;
const result = spawnSync('dbus-run-session', ['--', withKeyring, 'npx', 'vitest', 'run', ...vitestArgs], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
