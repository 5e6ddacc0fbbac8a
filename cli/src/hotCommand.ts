export interface HotCommand {
  readonly name: 'status' | 'token';
  readonly json: boolean;
}

/**
 * Recognises the two commands scripts call in loops, in their plain forms only (`status`,
 * `status --json`, `token`, `token --json`), so they can run without loading commander (issue 3's
 * start-up budget). Anything else, including `--profile`, `--help` and typos, goes to the full parser.
 */
export function hotCommand(args: readonly string[]): HotCommand | undefined {
  const [name, ...rest] = args;
  if (name !== 'status' && name !== 'token') return undefined;
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== '--json')) return undefined;
  return { name, json: rest.length === 1 };
}
