export type HotTokenHelper =
  | { readonly name: 'git-credential'; readonly action: 'get' | 'store' | 'erase' }
  | { readonly name: 'kube-credential'; readonly cluster: string };

/**
 * `strongroom git-credential <get|store|erase>` and `strongroom kube-credential --cluster <c>`
 * exactly, so git (every fetch and push) and kubectl (every invocation) start them without
 * commander (issue 8: through the agent, at most 2x `node -e 0`). Anything else, including
 * `--profile`, `--cluster=<c>`, `--help` and unknown actions, goes to the full parser.
 */
export function hotTokenHelper(args: readonly string[]): HotTokenHelper | undefined {
  const [name, ...rest] = args;
  if (name === 'git-credential' && rest.length === 1) {
    const action = rest[0];
    return action === 'get' || action === 'store' || action === 'erase' ? { name, action } : undefined;
  }
  if (name === 'kube-credential' && rest.length === 2 && rest[0] === '--cluster') {
    const cluster = rest[1] ?? '';
    return cluster === '' || cluster.startsWith('-') ? undefined : { name, cluster };
  }
  return undefined;
}
