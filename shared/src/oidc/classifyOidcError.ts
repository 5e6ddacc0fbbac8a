import { StrongroomError } from '../errors/StrongroomError.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (
    let e: unknown = error;
    e !== undefined && e !== null && out.length < 8;
    e = (e as { cause?: unknown }).cause
  )
    out.push(e);
  return out;
}
function field(e: unknown, name: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[name] : undefined;
}

/**
 * Maps whatever openid-client / fetch threw into our one error type, once, at the edge. Messages
 * from oauth4webapi are fixed strings that never carry token values, so they can be shown.
 */
export function classifyOidcError(error: unknown, broker: string): StrongroomError {
  if (error instanceof StrongroomError) return error;
  const links = chain(error);
  const codes = links.map((e) => field(e, 'code')).filter((c): c is string => typeof c === 'string');
  if (codes.some((c) => TLS.test(c))) {
    const code = codes.find((c) => TLS.test(c));
    return new StrongroomError(
      'broker_tls',
      `The TLS connection to ${broker} failed (${code}): its certificate is not trusted.`,
      {
        cause: error,
        hint: 'Check the broker URL. If your broker uses a private CA, point NODE_EXTRA_CA_CERTS at its PEM file.',
      },
    );
  }
  if (
    codes.some((c) => UNREACHABLE.has(c)) ||
    links.some((e) => e instanceof Error && e.name === 'TimeoutError')
  ) {
    return new StrongroomError('broker_unreachable', `Cannot reach the Strongroom broker at ${broker}.`, {
      cause: error,
      hint: 'Check that the broker is running and the URL is right (`strongroom config show`), then try again.',
    });
  }
  const oauthError = field(error, 'error');
  if (typeof oauthError === 'string') {
    const description = field(error, 'error_description');
    const detail =
      typeof description === 'string' && description !== '' ? `${oauthError}: ${description}` : oauthError;
    if (oauthError === 'access_denied') {
      return new StrongroomError('denied', `The broker denied the sign-in (${detail}).`, {
        cause: error,
        hint: 'Ask an administrator whether your account may sign in, then try again.',
      });
    }
    if (oauthError === 'unmet_authentication_requirements') {
      return new StrongroomError(
        'insufficient_authentication',
        `The broker cannot sign you in at the required level (${detail}).`,
        {
          cause: error,
          hint: "Check the profile's acr (`strongroom config show`); Strongroom brokers assert the hardware-key level.",
        },
      );
    }
    if (oauthError === 'invalid_grant') {
      return new StrongroomError(
        'session_expired',
        `The broker no longer accepts this session (${detail}).`,
        { cause: error, hint: 'Run `strongroom login` to sign in again.' },
      );
    }
    return new StrongroomError('broker_error', `The broker refused the request (${detail}).`, {
      cause: error,
      hint: 'Try again; if it keeps failing, tell your administrator.',
    });
  }
  // An ID token or response that failed verification: name the check, which is what the user needs.
  const detail =
    links
      .map((e) => (e instanceof Error ? e.message : ''))
      .filter((m) => m !== '')
      .at(-1) ?? 'unknown problem';
  const claim = links
    .map((e) => field(field(e, 'cause'), 'claim') ?? field(e, 'claim'))
    .find((c) => typeof c === 'string');
  if (codes.some((c) => c.startsWith('OAUTH_'))) {
    const what = typeof claim === 'string' ? ` (claim "${claim}")` : '';
    return new StrongroomError(
      'token_invalid',
      `The sign-in response from ${broker} failed verification${what}: ${detail}.`,
      {
        cause: error,
        hint: 'Nothing was stored. Check that the profile points at the right broker; if it does, report this to your administrator.',
      },
    );
  }
  return new StrongroomError('broker_error', `Talking to the broker at ${broker} failed: ${detail}.`, {
    cause: error,
  });
}
