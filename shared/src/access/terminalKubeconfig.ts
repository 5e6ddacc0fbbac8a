import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export interface TerminalKubeconfigOptions {
  /** The `strongroom` CLI kubectl runs (a name on PATH or an absolute path). */
  readonly command: string;
  /** Cluster names of the profile (`strongroom config kube-cluster`), as in the user's kubeconfig. */
  readonly clusters: readonly string[];
  /** A private folder (0700) for per-terminal files. */
  readonly dir: string;
  /** The kubeconfig(s) the user already has (`$KUBECONFIG`, else `~/.kube/config` when it exists). */
  readonly existing: string | undefined;
}

/**
 * The kubeconfig an elevated terminal points at (issue 7, item 6): for each of the profile's
 * clusters a user whose credential is the `strongroom kube-credential` exec plugin (client-go
 * `ExecCredential` v1; a short-lived token per call, never stored) and a context `strongroom-<c>`
 * over the user's own cluster entry of that name (server and CA stay where the user keeps them).
 * The file holds a command, no secret. With one cluster it is the current context.
 */
export function terminalKubeconfig(
  clusters: readonly string[],
  command = 'strongroom',
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    users: clusters.map((c) => ({
      name: `strongroom-${c}`,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command,
          args: ['kube-credential', '--cluster', c],
          interactiveMode: 'Never',
          provideClusterInfo: false,
        },
      },
    })),
    contexts: clusters.map((c) => ({
      name: `strongroom-${c}`,
      context: { cluster: c, user: `strongroom-${c}` },
    })),
    ...(clusters.length === 1 ? { 'current-context': `strongroom-${clusters[0]}` } : {}),
  };
}

/** Writes the terminal's kubeconfig (0600 in a 0700 folder); returns `KUBECONFIG` and the file. */
export async function writeTerminalKubeconfig(
  terminalId: string,
  options: TerminalKubeconfigOptions,
): Promise<{ kubeconfig: string; file: string }> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await chmod(options.dir, 0o700);
  const file = join(options.dir, `${terminalId}.kubeconfig.json`);
  await writeFile(
    file,
    `${JSON.stringify(terminalKubeconfig(options.clusters, options.command), null, 2)}\n`,
    {
      mode: 0o600,
    },
  );
  // Ours first: its contexts and current-context win; the user's clusters come from theirs.
  const rest =
    options.existing !== undefined && options.existing !== '' ? `${delimiter}${options.existing}` : '';
  return { kubeconfig: `${file}${rest}`, file };
}

/** `$KUBECONFIG`, else `~/.kube/config` when it exists. */
export function existingKubeconfig(env: NodeJS.ProcessEnv, home: string): string | undefined {
  if (env['KUBECONFIG'] !== undefined && env['KUBECONFIG'] !== '') return env['KUBECONFIG'];
  const file = join(home, '.kube', 'config');
  return existsSync(file) ? file : undefined;
}

export async function removeTerminalKubeconfig(file: string): Promise<void> {
  await rm(file, { force: true });
}
