/**
 * The client's non-secret configuration: which brokers it knows (profiles) and which one is in use.
 * Lives in a JSON file under the XDG config directory. Secrets never go here: they live in the
 * keychain vault (`vault/`). Frozen after parsing.
 */
export interface ProfileConfig {
  /** The broker's issuer URL (OpenID Provider). https, or http on a loopback host for development. */
  readonly broker: string;
  /** OAuth client id of the native client registered at the broker. */
  readonly clientId: string;
  /** The `acr` this profile demands (asked with `acr_values`, required in the ID token). */
  readonly acr: string;
  /** AWS STS for `strongroom credential-process` / `env aws` (optional; AWS's own defaults otherwise). */
  readonly aws?: AwsProfileConfig;
  /**
   * git hosts (`host` or `host:port`, as git sends `host=`) the credential helper answers for, each
   * mapped to the service (catalog id or audience) whose token it hands git. Other hosts: no answer.
   */
  readonly git?: Readonly<Record<string, string>>;
  /** Kubernetes cluster names for `kube-credential --cluster`, each mapped to a service (else the name is the service). */
  readonly kube?: Readonly<Record<string, string>>;
}

/** Where the AWS helpers trade web-identity tokens for temporary credentials. No secrets. */
export interface AwsProfileConfig {
  /** STS endpoint URL: https, or http on loopback (a local S3-compatible store or a test stand-in). */
  readonly stsEndpoint?: string;
  /** Signing region for STS (default `us-east-1`). */
  readonly region?: string;
}

export interface StrongroomConfig {
  readonly currentProfile: string;
  readonly profiles: Readonly<Record<string, ProfileConfig>>;
}

/** Matches `strongroomCliClient()` and `HARDWARE_KEY_ACR` in broker/src/oidc/. */
export const DEFAULT_CLIENT_ID = 'strongroom-cli';
export const DEFAULT_ACR = 'urn:strongroom:acr:hwk';
export const DEFAULT_BROKER = 'http://localhost:7700';

/** Profile names double as vault namespaces, so no dots or slashes (`.device` is reserved). */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

export function defaultConfig(): StrongroomConfig {
  return Object.freeze({
    currentProfile: 'default',
    profiles: Object.freeze({
      default: Object.freeze({ broker: DEFAULT_BROKER, clientId: DEFAULT_CLIENT_ID, acr: DEFAULT_ACR }),
    }),
  });
}
