/**
 * What one check concluded. `observed` is built from command output and file contents, which a local
 * process can influence (a process may name itself anything), and `expected`/`fix` can quote
 * configuration, so all three are reduced to printable text of bounded length here, once: a hostile
 * string cannot move the cursor or recolour the CLI table, and a report always fits its schema.
 */
export type PostureStatus = 'pass' | 'fail' | 'unknown';

export interface PostureFinding {
  readonly status: PostureStatus;
  readonly observed: string;
  readonly expected: string;
  /** One line: what the user does to make this check pass (or, for `unknown`, answerable). */
  readonly fix: string;
}

export const maxObservedLength = 300;

// C0/C1 controls (ESC starts every terminal escape sequence), DEL, and the Unicode bidi controls
// that can reorder what a terminal shows.
function isUnprintable(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

export function printable(text: string, maxLength = maxObservedLength): string {
  let flat = '';
  for (const char of text) flat += isUnprintable(char.codePointAt(0) ?? 0) ? ' ' : char;
  flat = flat.replace(/ {2,}/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

export function passed(observed: string, expected: string): PostureFinding {
  return { status: 'pass', observed: printable(observed), expected: printable(expected), fix: '' };
}

export function failed(observed: string, expected: string, fix: string): PostureFinding {
  return {
    status: 'fail',
    observed: printable(observed),
    expected: printable(expected),
    fix: printable(fix),
  };
}

export function unknown(observed: string, expected: string, fix: string): PostureFinding {
  return {
    status: 'unknown',
    observed: printable(observed),
    expected: printable(expected),
    fix: printable(fix),
  };
}
