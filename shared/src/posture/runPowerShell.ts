import type { ExecResult, PostureHost } from './PostureHost.js';

/**
 * Runs a fixed PowerShell script (no user data is ever interpolated into it). Scripts emit JSON with
 * enum values converted to their names, which, unlike the console text of manage-bde or netsh, do not
 * change with the display language of Windows.
 */
export function runPowerShell(host: PostureHost, script: string, timeoutMs: number): Promise<ExecResult> {
  const prelude =
    "$ProgressPreference='SilentlyContinue'; [Console]::OutputEncoding=[System.Text.Encoding]::UTF8; ";
  return host.exec('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', prelude + script], {
    timeoutMs,
  });
}
