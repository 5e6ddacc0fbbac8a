/**
 * git's credential-helper protocol (git-credential(1), "INPUT/OUTPUT FORMAT"): `key=value` lines,
 * ended by a blank line or end of input. Keys ending in `[]` are multi-valued (`capability[]`,
 * `wwwauth[]`); a value may not contain a newline or NUL, and a key may not contain `=`.
 */
export type GitCredentialRequest = Readonly<Record<string, string | readonly string[]>>;

const MAX_INPUT = 64 * 1024;

/** Parses what git writes to a helper's stdin; undefined when it is not the protocol. */
export function parseGitCredentialInput(text: string): GitCredentialRequest | undefined {
  if (text.length > MAX_INPUT || text.includes('\0')) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const line of text.split('\n')) {
    if (line === '') break; // a blank line ends the description
    const eq = line.indexOf('=');
    if (eq <= 0) return undefined;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key.endsWith('[]')) {
      const list = out[key];
      out[key] = Array.isArray(list) ? [...list, value] : [value];
    } else out[key] = value;
  }
  return out;
}

/** One attribute, refusing anything that could inject another line into git's input. */
export function gitCredentialLine(key: string, value: string): string {
  if (/[\n\0=]/.test(key) || /[\n\0]/.test(value)) throw new Error(`unsafe git credential attribute ${key}`);
  return `${key}=${value}\n`;
}

/** A single-valued attribute of the request (multi-valued ones are not read by the helper). */
export function gitAttribute(request: GitCredentialRequest, key: string): string | undefined {
  const value = request[key];
  return typeof value === 'string' ? value : undefined;
}
