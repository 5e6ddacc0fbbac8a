import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import type { Deps } from './Deps.js';

/**
 * Every command's failure reaches the user once, here: the message and its one-line hint (a
 * denial carries the broker's reasons in its message). Cancelling a sign-in is not an error.
 */
export async function showError(deps: Pick<Deps, 'vscode' | 'log'>, error: unknown): Promise<void> {
  if (error instanceof StrongroomError && error.code === 'login_cancelled') return;
  const message =
    error instanceof StrongroomError
      ? `${error.message}${error.hint ? ` ${error.hint}` : ''}`
      : `Strongroom: something went wrong (${error instanceof Error ? error.message : String(error)}).`;
  deps.log('error', message);
  const signIn =
    error instanceof StrongroomError && ['not_signed_in', 'session_expired'].includes(error.code);
  const choice = await deps.vscode.window.showErrorMessage(message, ...(signIn ? ['Sign In'] : []));
  if (choice === 'Sign In') await deps.vscode.commands.executeCommand('strongroom.signIn');
}

/** Wraps a command so a failure is shown instead of escaping into VS Code's generic handler. */
export function guarded<A extends unknown[]>(
  deps: Pick<Deps, 'vscode' | 'log'>,
  run: (...args: A) => Promise<unknown>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      await showError(deps, error);
    }
  };
}
