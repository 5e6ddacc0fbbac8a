/** A credential as presented on an HTTP request, before any verification. */
export interface PresentedCredential {
  /** `DPoP` (RFC 9449 §7.1), `Bearer` (RFC 6750 §2.1), or `Basic` whose password is the token. */
  readonly scheme: 'DPoP' | 'Bearer' | 'Basic';
  readonly token: string;
  /** For Basic: the user name the client sent (git sends one; it is not trusted for anything). */
  readonly username?: string;
}

const b64token = /^[A-Za-z0-9\-._~+/]+=*$/; // RFC 6750 §2.1
const MAX_TOKEN_LENGTH = 8192;

/**
 * Parses an `Authorization` header. Basic is accepted because tools that only speak Basic (git's
 * credential helpers) carry the token as the password; such a token is then verified exactly like
 * a Bearer token. Returns undefined for anything malformed, so the caller refuses it.
 */
export function parseAuthorization(header: string | undefined): PresentedCredential | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space <= 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (value === '' || value.length > MAX_TOKEN_LENGTH * 2) return undefined;
  if (scheme === 'dpop' || scheme === 'bearer') {
    if (!b64token.test(value) || value.length > MAX_TOKEN_LENGTH) return undefined;
    return { scheme: scheme === 'dpop' ? 'DPoP' : 'Bearer', token: value };
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const token = decoded.slice(colon + 1);
    if (!b64token.test(token) || token.length > MAX_TOKEN_LENGTH) return undefined;
    return { scheme: 'Basic', token, username: decoded.slice(0, colon) };
  }
  return undefined;
}
