import { StrongroomError } from '../errors/StrongroomError.js';
import { isLoopbackHost } from '../config/checkBrokerUrl.js';

/**
 * An elevated terminal's environment holds pointers only (ARCHITECTURE.md, "VS Code"; issue 7):
 * the agent's loopback container-credentials URL with this terminal's own token, the agent's
 * ssh-agent socket, git's credential helper through `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`, and a
 * kubeconfig whose user is an exec plugin. The agent builds it; this check runs in the host before
 * the terminal starts, so even a confused agent cannot put a credential into a shell (where every
 * child process, crash dump and `env` would see it). Anything else is refused, not dropped.
 */
const ALLOWED = [
  /^AWS_CONTAINER_CREDENTIALS_FULL_URI$/,
  /^AWS_CONTAINER_AUTHORIZATION_TOKEN$/,
  /^SSH_AUTH_SOCK$/,
  /^GIT_CONFIG_COUNT$/,
  /^GIT_CONFIG_(KEY|VALUE)_\d{1,2}$/,
  /^KUBECONFIG$/,
  /^STRONGROOM_[A-Z0-9_]{1,40}$/,
];

/** Variables that hold credentials themselves. Never in a terminal, whoever asks. */
const CREDENTIAL_NAMES = /(SECRET|SESSION_TOKEN|ACCESS_KEY|PASSWORD|PRIVATE_KEY|BEARER)/;

export function terminalEnvironment(env: Readonly<Record<string, string>>): Record<string, string> {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (CREDENTIAL_NAMES.test(name) || !ALLOWED.some((re) => re.test(name))) {
      problems.push(`${name} is not a pointer a terminal may hold`);
      continue;
    }
    if (value.length > 4096 || /[\0\r\n]/.test(value)) problems.push(`${name} has an unusable value`);
    if (name === 'AWS_CONTAINER_CREDENTIALS_FULL_URI') {
      // The SDKs send the token to this URL: it must be the agent on this machine.
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (url === undefined || url.protocol !== 'http:' || !isLoopbackHost(url.hostname))
        problems.push(`${name} must be a loopback http URL`);
    }
    // A URL with user info (https://user:token@host) carries a credential, in any variable.
    if (/\/\/[^/\s]*@/.test(value)) problems.push(`${name} holds a URL with credentials`);
  }
  if (problems.length > 0)
    throw new StrongroomError(
      'internal',
      `Refused the elevated terminal's environment: ${problems.join('; ')}.`,
      {
        hint: 'Update the Strongroom agent (tray app); it offered something that is not a pointer.',
      },
    );
  return { ...env };
}
