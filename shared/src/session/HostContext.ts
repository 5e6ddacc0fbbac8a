/**
 * What a host (CLI, VS Code extension, tray app) hands the client core. shared/ never reaches for
 * a host API itself (ARCHITECTURE.md, "Rule of the house"); everything host-specific comes in here.
 */
export interface HostContext {
  readonly platform: NodeJS.Platform;
  /** Opens the sign-in URL in the user's system browser (RFC 8252 §4: never an embedded view). */
  openBrowser(url: string): Promise<void>;
  /** Epoch milliseconds. */
  now(): number;
  /** Diagnostics. Never called with a secret. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** Tells the user something happened in the background (e.g. "your session ended: …"). */
  notify(message: string): void;
}
