/**
 * `strongroom credential-process --role <r> [--grant <id>]` exactly (either order, each once), so the
 * AWS CLI and SDKs, which run it before every credential refresh, start it without commander (issue 6:
 * at most 2.5x `node -e 0` with cached credentials). Anything else goes to the full parser.
 */
export function hotCredentialProcess(args: readonly string[]): { role: string; grant?: string } | undefined {
  const [name, ...rest] = args;
  if (name !== 'credential-process' || (rest.length !== 2 && rest.length !== 4)) return undefined;
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i] ?? '';
    const value = rest[i + 1] ?? '';
    if ((flag !== '--role' && flag !== '--grant') || values.has(flag)) return undefined;
    if (value === '' || value.startsWith('-')) return undefined;
    values.set(flag, value);
  }
  const role = values.get('--role');
  if (role === undefined) return undefined;
  const grant = values.get('--grant');
  return grant === undefined ? { role } : { role, grant };
}
