import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { formatPostureTable } from '@strongroom/shared/posture/formatPostureTable.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';
import { attestPosture } from '@strongroom/shared/posture-attestation/attestPosture.js';
import type { PostureVerdict } from '@strongroom/shared/protocol/deviceApi.js';
import { readSession } from '@strongroom/shared/session/readSession.js';
import { agentVersion } from '../agentVersion.js';
import { cliContext, noBrowser, type CliContext, type GlobalOptions } from '../cliContext.js';
import { deviceClient } from '../deviceClient.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';

interface Attestation {
  verdict: PostureVerdict;
  enrollment: 'enrolled' | 'existing' | 'reenrolled';
}

/**
 * `strongroom posture`: runs every posture check on this machine and prints them with the fixes;
 * when signed in, also enrolls this device if needed and sends the broker a report signed by the
 * device key (issue 4). The checks run and print even without a broker or a session.
 */
export async function posture(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const host = createNodePostureHost();
  const report = await runPostureChecks(host);
  let context: CliContext | undefined;
  let signedIn = false;
  let attestation: Attestation | undefined;
  let failure: StrongroomError | undefined;
  try {
    context = await cliContext(global, noBrowser);
    signedIn = (await readSession(context.store, context.profile.name)) !== undefined;
    if (signedIn) {
      const device = await deviceClient(context);
      const enrolled = await device.enroll(host);
      const verdict = await attestPosture({
        client: device.client,
        key: device.key,
        report,
        agentVersion: agentVersion(),
        now: context.host.now,
      });
      attestation = { verdict, enrollment: enrolled.outcome };
    }
  } catch (error) {
    failure =
      error instanceof StrongroomError
        ? error
        : new StrongroomError('internal', 'Sending the posture report failed.', { cause: error });
  }

  if (options.json === true) {
    const out = {
      report,
      signedIn,
      profile: context?.profile.name ?? null,
      attestation: attestation ? { ...attestation.verdict, enrollment: attestation.enrollment } : null,
      error: failure ? { code: failure.code, message: failure.message, hint: failure.hint ?? null } : null,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stdout.write(formatPostureTable(report));
    if (attestation) {
      const { verdict } = attestation;
      process.stdout.write(
        `\nAttested to ${context?.profile.broker ?? 'the broker'}: device ${verdict.deviceId} is ${verdict.compliant ? 'compliant' : 'NOT compliant'} (${verdict.attestedAt}${attestation.enrollment === 'existing' ? '' : `, device ${attestation.enrollment}`}).\n`,
      );
    } else if (!signedIn && !failure) {
      process.stdout.write(
        '\nNot signed in: nothing was sent to a broker. Run `strongroom login` to attest.\n',
      );
    }
  }
  if (failure) {
    process.stderr.write(`strongroom: ${failure.message}\n`);
    if (failure.hint) process.stderr.write(`  ${failure.hint}\n`);
    // The checks ran and printed; without a session (no broker configured, no keychain) there was
    // nothing to attest, so that is a note. A failed attestation of a signed-in device is an error.
    if (!signedIn) {
      process.stderr.write('  The posture above was not sent to a broker.\n');
      return EXIT.ok;
    }
    return exitCodeFor(failure.code);
  }
  return EXIT.ok;
}
