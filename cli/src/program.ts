import { Command, CommanderError } from 'commander';
import type { GlobalOptions } from './cliContext.js';
import { EXIT } from './exitCodes.js';
import { runCommand as run } from './runCommand.js';

/** The full command line, parsed by commander: every command, option, help text and usage error. */
export async function runProgram(argv: readonly string[]): Promise<void> {
  const program = new Command('strongroom')
    .description(
      'Sign in to Strongroom with a hardware security key and get short-lived, device-bound credentials.',
    )
    .option(
      '--profile <name>',
      'profile (broker) to use; default: the current profile, or STRONGROOM_PROFILE',
    )
    .exitOverride()
    .showHelpAfterError('(run `strongroom --help` for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 other failure, 2 usage or config error, 3 not signed in, 4 denied, 5 broker unreachable (or TLS failure).',
    );

  const global = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command('login')
    .description('sign in through your browser with a hardware security key')
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .option('--json', 'print the result as JSON')
    .action((options: { browser?: boolean; json?: boolean }) =>
      run(options.json, async () => (await import('./commands/login.js')).login(global(), options)),
    );

  program
    .command('logout')
    .description('end the session at the broker and delete local credentials')
    .option('--forget-device', 'also delete this device key (a new one is made at the next sign-in)')
    .action((options: { forgetDevice?: boolean }) =>
      run(false, async () => (await import('./commands/logout.js')).logout(global(), options)),
    );

  program
    .command('status')
    .description('show who is signed in, how, and until when')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      run(options.json, async () => (await import('./commands/status.js')).status(global(), options)),
    );

  program
    .command('token')
    .description('print a fresh access token for scripts (a warning goes to stderr)')
    .option(
      '--audience <service>',
      'a token for this service instead (token exchange; catalog id or audience)',
    )
    .option('--grant <id>', 'with --audience: the grant to use (default: your active grant that covers it)')
    .option('--json', 'print as JSON with its expiry')
    .action((options: { audience?: string; grant?: string; json?: boolean }) =>
      run(options.json, async () => {
        const { audience } = options;
        if (audience === undefined) return (await import('./commands/token.js')).token(global(), options);
        return (await import('./commands/serviceToken.js')).serviceToken(global(), { ...options, audience });
      }),
    );

  program
    .command('posture')
    .description(
      'check this device (disk encryption, firewall, updates, screen lock, Secure Boot, endpoint protection) and attest to the broker when signed in',
    )
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      run(options.json, async () => (await import('./commands/posture.js')).posture(global(), options)),
    );

  program
    .command('devices')
    .description('list your devices at the broker with their latest posture')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      run(options.json, async () => (await import('./commands/devices.js')).devices(global(), options)),
    );

  program
    .command('targets')
    .description('list what you may request: maximum duration and approvers needed')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      run(options.json, async () => (await import('./commands/targets.js')).targets(global(), options)),
    );

  program
    .command('request <target>')
    .description('ask for just-in-time access to a role (or Type:id asset) for a while, with a reason')
    .requiredOption('--for <duration>', 'how long, e.g. 2h, 90m')
    .requiredOption('--reason <text>', 'why (shown to approvers and kept in the audit log)')
    .option('--ticket <ref>', 'ticket reference, e.g. ML-123')
    .option('--dry-run', 'only say whether it would be allowed and who must approve (exit 4 if not)')
    .option('--json', 'print as JSON')
    .action((target: string, options: import('./commands/request.js').RequestOptions) =>
      run(options.json, async () =>
        (await import('./commands/request.js')).request(global(), target, options),
      ),
    );

  program
    .command('requests')
    .description('your access requests, or with --to-review those waiting for your approval')
    .option('--to-review', 'requests you may approve')
    .option('--json', 'print as JSON')
    .action((options: { toReview?: boolean; json?: boolean }) =>
      run(options.json, async () => (await import('./commands/requests.js')).requests(global(), options)),
    );

  program
    .command('approve <id>')
    .description('approve a request with a security-key touch in your browser (bound to that request)')
    .option('--no-browser', 'print the approval link instead of opening a browser')
    .option('--json', 'print as JSON')
    .action((id: string, options: { browser?: boolean; json?: boolean }) =>
      run(options.json, async () => (await import('./commands/approve.js')).approve(global(), id, options)),
    );

  program
    .command('deny <id>')
    .description('deny a request you may approve')
    .requiredOption('--reason <text>', 'why (the requester sees it)')
    .option('--json', 'print as JSON')
    .action((id: string, options: { reason: string; json?: boolean }) =>
      run(options.json, async () =>
        (await import('./commands/requests.js')).closeRequest(global(), id, 'deny', options),
      ),
    );

  program
    .command('cancel <id>')
    .description('withdraw your own request')
    .option('--json', 'print as JSON')
    .action((id: string, options: { json?: boolean }) =>
      run(options.json, async () =>
        (await import('./commands/requests.js')).closeRequest(global(), id, 'cancel', options),
      ),
    );

  program
    .command('grants')
    .description('your grants: approved, active (with time left) or ended')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      run(options.json, async () => (await import('./commands/grants.js')).grants(global(), options)),
    );

  for (const [name, text] of [
    ['activate', 'start an approved grant now (its clock starts)'],
    ['drop', 'end one of your grants now'],
  ] as const) {
    program
      .command(`${name} <id>`)
      .description(text)
      .option('--json', 'print as JSON')
      .action((id: string, options: { json?: boolean }) =>
        run(options.json, async () =>
          (await import('./commands/grants.js')).changeGrant(global(), id, name, options),
        ),
      );
  }

  program
    .command('ssh-cert <host-group>')
    .description(
      'get an SSH certificate for a host group you hold a grant for; key and certificate go to ssh-agent (never to disk)',
    )
    .option('--grant <id>', 'the grant to use (default: your active grant that covers the host group)')
    .option('--ttl <duration>', 'lifetime, e.g. 30m, 90s (capped at the grant and one hour)')
    .option('--json', 'print as JSON')
    .action((hostGroup: string, options: import('./commands/sshCert.js').SshCertOptions) =>
      run(options.json, async () =>
        (await import('./commands/sshCert.js')).sshCert(global(), hostGroup, options),
      ),
    );

  program
    .command('credential-process')
    .description(
      'AWS credential_process helper: temporary credentials for a role as JSON on stdout (nothing else), cached in the keychain',
    )
    .requiredOption(
      '--role <role>',
      'Strongroom role or asset mapped to an AWS role, e.g. restricted-data-reader',
    )
    .option('--grant <id>', 'the grant to use (default: your active grant that covers the role)')
    .action((options: import('./commands/credentialProcess.js').CredentialProcessOptions) =>
      run(false, async () =>
        (await import('./commands/credentialProcess.js')).credentialProcess(global(), options),
      ),
    );

  program
    .command('env')
    .description('print shell exports that point tools at Strongroom (pointers, never keys)')
    .command('aws')
    .description(
      'AWS_CONTAINER_CREDENTIALS_FULL_URI and a new per-terminal AWS_CONTAINER_AUTHORIZATION_TOKEN from the running agent',
    )
    .requiredOption('--role <role>', 'Strongroom role or asset mapped to an AWS role')
    .option('--grant <id>', 'the grant to use (default: your active grant that covers the role)')
    .option('--label <text>', 'what this terminal is for (shown in the tray)')
    .option(
      '--ttl <duration>',
      'how long the token lives, e.g. 4h (default 12h; never past the grant or session)',
    )
    .option(
      '--pid <pid>',
      'the process holding the token; it is revoked when that exits (default: this shell)',
    )
    .option(
      '--job',
      'a token for a job runner to hand on: not tied to a process, only expiry and the grant end it',
    )
    .option('--json', 'print as JSON')
    .action((options: import('./commands/envAws.js').EnvAwsOptions) =>
      run(options.json, async () => (await import('./commands/envAws.js')).envAws(global(), options)),
    );

  program
    .command('git-credential <action>')
    .description("git credential helper (get, store, erase): short-lived tokens for the profile's git hosts")
    .action((action: string) =>
      run(false, async () => (await import('./commands/gitCredential.js')).gitCredential(global(), action)),
    );

  program
    .command('dpop-proof <method> <url>')
    .description(
      'a DPoP proof header for one request with the DPoP-bound token of a service (token --audience)',
    )
    .requiredOption('--audience <service>', 'the service whose token the request carries')
    .action((method: string, url: string, options: { audience: string }) =>
      run(false, async () =>
        (await import('./commands/dpopProof.js')).dpopProof(global(), method, url, options),
      ),
    );

  program
    .command('kube-credential')
    .description('kubectl exec credential plugin: an ExecCredential (v1) with a short-lived token')
    .requiredOption('--cluster <name>', 'the cluster (mapped to a service by `config kube-cluster`)')
    .action((options: { cluster: string }) =>
      run(false, async () =>
        (await import('./commands/kubeCredential.js')).kubeCredential(global(), options),
      ),
    );

  program
    .command('watch')
    .description('print your events (requests, approvals, grants) as they happen')
    .option('--json', 'one JSON object per line')
    .action((options: { json?: boolean }) =>
      run(options.json, async () => (await import('./commands/watch.js')).watch(global(), options)),
    );

  program
    .command('agent')
    .description(
      'run the agent in the foreground: keeps the session fresh, checks posture, follows broker events, serves the local socket',
    )
    .option('--posture-interval <minutes>', 'minutes between posture checks (default 5)')
    .option('--json', 'notifications as JSON lines on stderr')
    .action((options: { json?: boolean; postureInterval?: string }) =>
      run(options.json, async () => (await import('./commands/agent.js')).agent(global(), options)),
    );

  const config = program
    .command('config')
    .description('broker URL and profiles (no secrets are stored in config)');
  config
    .command('show')
    .description('show profiles and the current one')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      run(options.json, async () => (await import('./commands/config.js')).configShow(global(), options)),
    );
  config
    .command('set-broker <url>')
    .description('set the broker URL of the profile (created if new; use --profile to name it)')
    .option('--client-id <id>', 'OAuth client id registered at the broker')
    .option('--acr <value>', 'authentication level to require (acr)')
    .option('--use', 'make this profile the current one')
    .action((url: string, options: { clientId?: string; acr?: string; use?: boolean }) =>
      run(false, async () => (await import('./commands/config.js')).configSetBroker(global(), url, options)),
    );
  config
    .command('set-aws')
    .description('where the AWS helpers trade web-identity tokens (STS endpoint, region) for the profile')
    .option('--sts-endpoint <url>', 'STS endpoint (https, or http on loopback); "default" for AWS')
    .option('--region <region>', 'signing region, e.g. eu-west-1')
    .action((options: { stsEndpoint?: string; region?: string }) =>
      run(false, async () => (await import('./commands/config.js')).configSetAws(global(), options)),
    );
  for (const [name, which, what] of [
    ['git-host <host> [service]', 'git', 'git host (host[:port]) the credential helper answers for'],
    ['kube-cluster <cluster> [service]', 'kube', 'cluster kube-credential issues tokens for'],
  ] as const) {
    config
      .command(name)
      .description(`map a ${what} to a service (catalog id or audience)`)
      .option('--remove', 'delete the mapping')
      .action((key: string, service: string | undefined, options: { remove?: boolean }) =>
        run(false, async () =>
          (await import('./commands/configServices.js')).configServiceMap(
            global(),
            which,
            key,
            service,
            options,
          ),
        ),
      );
  }
  config
    .command('use <profile>')
    .description('switch the current profile')
    .action((name: string) =>
      run(false, async () => (await import('./commands/config.js')).configUse(global(), name)),
    );

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      throw error;
    }
  }
}
