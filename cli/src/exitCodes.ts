import type { StrongroomErrorCode } from '@strongroom/shared/errors/StrongroomError.js';

/** Documented exit codes (README, "Signing in from the CLI"). Scripts rely on these: never renumber. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notSignedIn: 3,
  denied: 4,
  unreachable: 5,
} as const;

export function exitCodeFor(code: StrongroomErrorCode): number {
  switch (code) {
    case 'usage':
    case 'config_invalid':
      return EXIT.usage;
    case 'not_signed_in':
    case 'session_expired':
    case 'locked':
      return EXIT.notSignedIn;
    case 'denied':
    case 'insufficient_authentication':
    case 'posture_failing':
      return EXIT.denied;
    case 'broker_unreachable':
    case 'broker_tls':
      return EXIT.unreachable;
    default:
      return EXIT.failure;
  }
}
