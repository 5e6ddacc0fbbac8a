import { readSession } from '@strongroom/shared/session/readSession.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { formatTime } from '../formatTime.js';
import { SESSION_END_NOTE } from '../sessionEndNote.js';

/** `strongroom status`: who is signed in, how, and until when. Reads the vault only; no network. */
export async function status(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const { profile, store, host } = await cliContext(global, noBrowser);
  const session = await readSession(store, profile.name);
  const now = host.now();
  if (session === undefined) {
    if (options.json === true)
      process.stdout.write(
        `${JSON.stringify({ signedIn: false, profile: profile.name, broker: profile.broker })}\n`,
      );
    else
      process.stderr.write(
        `Not signed in to ${profile.broker} (profile "${profile.name}").\n  Run \`strongroom login\` to sign in.\n`,
      );
    return EXIT.notSignedIn;
  }
  const iso = (t: number): string => new Date(t).toISOString();
  if (options.json === true) {
    const out = {
      signedIn: true,
      profile: profile.name,
      broker: profile.broker,
      issuer: session.issuer,
      subject: session.subject,
      email: session.email ?? null,
      name: session.name ?? null,
      amr: session.amr,
      acr: session.acr,
      authTime: iso(session.authTime),
      accessTokenExpiresAt: iso(session.accessTokenExpiresAt),
      sessionExpiresAt: iso(session.sessionExpiresAt),
      // Where the end comes from: `assumed` means the provider did not say and it is a guess.
      sessionEndSource: session.sessionEndSource,
      deviceKey: { thumbprint: session.deviceKeyThumbprint, protection: session.deviceKeyProtection },
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return EXIT.ok;
  }
  const who = session.email ?? session.name ?? session.subject;
  process.stdout.write(
    [
      `Signed in to ${profile.broker} as ${who} (profile "${profile.name}")`,
      `  how:            ${session.amr.join(', ')} (acr ${session.acr})`,
      `  signed in:      ${formatTime(session.authTime, now)}`,
      `  session ends:   ${formatTime(session.sessionExpiresAt, now)}${SESSION_END_NOTE[session.sessionEndSource]}`,
      `  access token:   ${session.accessTokenExpiresAt > now ? `valid until ${formatTime(session.accessTokenExpiresAt, now)}` : 'expired; refreshed on next use'}`,
      `  device key:     ${session.deviceKeyProtection}, ${session.deviceKeyThumbprint}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
