import { loginWithBrowser } from '@strongroom/shared/oidc/loginWithBrowser.js';
import { cliContext, type GlobalOptions } from '../cliContext.js';
import { enrollAfterLogin } from '../enrollAfterLogin.js';
import { EXIT } from '../exitCodes.js';
import { formatTime } from '../formatTime.js';
import { openSystemBrowser } from '../openSystemBrowser.js';

/**
 * `strongroom login`: sign in through the browser with a hardware security key. With `--no-browser`
 * (remote shells, automation) the URL is printed instead; the loopback redirect still has to reach
 * this machine, e.g. through an SSH port forward.
 */
export async function login(
  global: GlobalOptions,
  options: { browser?: boolean; json?: boolean },
): Promise<number> {
  const openBrowser = async (url: string): Promise<void> => {
    if (options.browser === false) {
      process.stderr.write(
        `Open this URL in a browser on this machine to sign in:\n\n  ${url}\n\nWaiting for the sign-in to finish…\n`,
      );
      return;
    }
    const opened = await openSystemBrowser(url, process.env, process.platform);
    process.stderr.write(
      opened
        ? `Your browser should open to sign in. If it does not, open:\n\n  ${url}\n\n`
        : `Could not start a browser. Open this URL to sign in:\n\n  ${url}\n\n`,
    );
  };
  const context = await cliContext(global, openBrowser);
  const summary = await loginWithBrowser(context);
  const enrolled = await enrollAfterLogin(context);
  if (options.json === true) {
    process.stdout.write(
      `${JSON.stringify({ signedIn: true, profile: context.profile.name, subject: summary.subject, email: summary.email ?? null, amr: summary.amr, acr: summary.acr, sessionExpiresAt: new Date(summary.sessionExpiresAt).toISOString() })}\n`,
    );
  } else {
    process.stdout.write(
      `Signed in to ${context.profile.broker} as ${summary.email ?? summary.subject} with a hardware key (${summary.amr.join(', ')}).\n` +
        `The session ends ${formatTime(summary.sessionExpiresAt, context.host.now())}.\n` +
        (enrolled === undefined ? '' : `${enrolled}\n`),
    );
  }
  return EXIT.ok;
}
