import { mappedService } from '@strongroom/shared/config/parseServiceMap.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { execCredentialFor } from '@strongroom/shared/service-tokens/execCredential.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { serviceTokenViaAgent } from '../serviceTokenViaAgent.js';

/**
 * `strongroom kube-credential --cluster <c>`: a client-go exec credential plugin
 * (client.authentication.k8s.io/v1). Prints an ExecCredential with a short-lived token for the
 * cluster's service (`profiles.<p>.kube.<c>`, else the cluster name is the catalog service) and its
 * expiry, and nothing else on stdout. kubeconfig:
 * `users[].user.exec: { apiVersion: client.authentication.k8s.io/v1, command: strongroom,
 *  args: [kube-credential, --cluster, <c>], interactiveMode: Never }`. kubectl runs it in every
 * invocation (its cache lives in its own process), so it is on the CLI's hot path, and with the
 * agent running the token comes from the agent's memory.
 */
export async function kubeCredential(global: GlobalOptions, options: { cluster: string }): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const service = mappedService(context.profile.kube, options.cluster) ?? options.cluster;
  const token = await serviceTokenViaAgent(context, { audience: service });
  if (token.tokenType !== 'Bearer')
    throw new StrongroomError(
      'denied',
      `The service ${service} takes DPoP-bound tokens, which kubectl cannot send.`,
      {
        hint: 'Map the cluster to a service whose catalog entry has no `dpop: true`.',
      },
    );
  process.stdout.write(`${JSON.stringify(execCredentialFor(token))}\n`);
  return EXIT.ok;
}
