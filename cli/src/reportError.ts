import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { exitCodeFor } from './exitCodes.js';

/**
 * The CLI's one error boundary: what happened, then what to do, on stderr; with `--json` also a
 * machine-readable object on stdout. Returns the exit code. Unknown errors show no stack (it could
 * hold request details) unless STRONGROOM_DEBUG is set.
 */
export function reportError(error: unknown, json: boolean): number {
  const failure =
    error instanceof StrongroomError
      ? error
      : new StrongroomError('internal', 'Something unexpected went wrong.', {
          cause: error,
          hint: 'Run again with STRONGROOM_DEBUG=1 for details.',
        });
  process.stderr.write(`strongroom: ${failure.message}\n`);
  if (failure.hint !== undefined) process.stderr.write(`  ${failure.hint}\n`);
  if (process.env['STRONGROOM_DEBUG'] !== undefined && failure.cause !== undefined) {
    process.stderr.write(
      `  cause: ${failure.cause instanceof Error ? failure.cause.stack : String(failure.cause)}\n`,
    );
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: failure.code, message: failure.message, hint: failure.hint ?? null } })}\n`,
    );
  }
  return exitCodeFor(failure.code);
}
