import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import type { CliContext } from './cliContext.js';
import { deviceClient } from './deviceClient.js';

/**
 * Device enrollment on sign-in (issue 4): binds this device's key to the user at the broker right
 * after login. Best effort: signing in worked, so a failure here is reported as a note and
 * `strongroom posture` enrolls the device later.
 */
export async function enrollAfterLogin(context: CliContext): Promise<string | undefined> {
  try {
    const device = await deviceClient(context);
    const result = await device.enroll(createNodePostureHost());
    if (result.outcome === 'existing') return undefined;
    return result.outcome === 'reenrolled'
      ? `This device was enrolled again with a new key (replacing ${String(result.replaced.length)} older one(s)).`
      : 'This device is now enrolled with the broker.';
  } catch (failure) {
    const why = failure instanceof Error ? failure.message : String(failure);
    process.stderr.write(
      `strongroom: note: this device could not be enrolled yet (${why}); \`strongroom posture\` retries.\n`,
    );
    return undefined;
  }
}
