import { signOut } from '@strongroom/shared/session/signOut.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';

/** `strongroom logout`: revoke at the broker when it answers, and always delete local credentials. */
export async function logout(global: GlobalOptions, options: { forgetDevice?: boolean }): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const { revokedAtBroker } = await signOut({ ...context, forgetDevice: options.forgetDevice === true });
  process.stdout.write(
    revokedAtBroker
      ? `Signed out of ${context.profile.broker}: the broker ended the session and local credentials were deleted.\n`
      : `Local credentials for profile "${context.profile.name}" were deleted.\n`,
  );
  if (options.forgetDevice === true)
    process.stdout.write('The device key was deleted too; the next sign-in creates a new one.\n');
  return EXIT.ok;
}
