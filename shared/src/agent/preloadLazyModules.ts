/**
 * The client core's own modules that are imported on first use rather than at start (so that a
 * host's first state is drawn sooner, issue 7; and so a one-shot CLI command loads only what it
 * runs), loaded here all at once. `preloadLazyModules.test.ts` holds this list to every such import
 * in shared/src. Packages imported on first use (the AWS SDK's STS client) are not here: an agent that
 * never assumes a role does not carry them.
 */
export async function preloadLazyModules(): Promise<void> {
  await Promise.all([
    import('../device/loadDeviceKey.js'),
    import('../oidc/loginWithBrowser.js'),
    import('../oidc/discoverBroker.js'),
    import('../posture/runPostureChecks.js'),
    import('../posture-attestation/collectPlatformFacts.js'),
    import('../credentials/aws/containerCredentialsServer.js'),
    import('../credentials/aws/getAwsCredentials.js'),
    import('../session/refreshSession.js'),
    import('../service-tokens/exchangeServiceToken.js'),
  ]);
}

/**
 * A long-running host (the tray, `strongroom agent`, the extension host) calls this once its agent
 * has started: the lazily loaded modules then load a moment after the first state rather than hours
 * later, when an update may have replaced the files under the running agent (newer code mixed into
 * an older process), or when a transient failure (EMFILE) would stay failed: Node's ESM loader
 * remembers an import that failed.
 */
export function preloadLazyModulesSoon(log: (message: string) => void, delayMs = 1_000): void {
  setTimeout(() => {
    preloadLazyModules().catch((error: unknown) =>
      log(`Loading the agent's modules failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }, delayMs).unref();
}
