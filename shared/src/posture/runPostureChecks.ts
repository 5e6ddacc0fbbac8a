import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { postureCheckTitles } from './PostureCheckId.js';
import { unknown, type PostureFinding } from './PostureFinding.js';
import type { PostureHost } from './PostureHost.js';
import { parsePostureOptions, type PostureOptionsInput } from './PostureOptions.js';
import type { PostureReport, PostureResult } from './PostureReport.js';
import { postureChecksFor } from './postureChecksFor.js';

async function runOne(check: PostureCheck, context: PostureCheckContext): Promise<PostureResult> {
  const started = performance.now();
  const timeoutMs = context.options.checkTimeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Commands carry their own timeout (and are killed); this bounds everything else a check awaits.
  const deadline = new Promise<PostureFinding>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          unknown(
            `no answer within ${String(timeoutMs)} ms`,
            'an answer in time',
            'Try again; if it persists, report it with `strongroom posture --json`.',
          ),
        ),
      timeoutMs + 250,
    );
  });
  const attempt = check.run(context).catch((error: unknown) =>
    // A check that breaks is a fact we could not read, never a pass.
    unknown(
      `check failed: ${error instanceof Error ? error.message : String(error)}`,
      'a readable answer',
      'Report this with `strongroom posture --json`.',
    ),
  );
  const finding = await Promise.race([attempt, deadline]);
  clearTimeout(timer);
  return {
    id: check.id,
    title: postureCheckTitles[check.id],
    ...finding,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

/**
 * Runs every posture check for `host.platform` at once and returns the report. `options` are the
 * organisation's thresholds (see PostureOptions.ts); invalid options throw `config_invalid` before
 * anything runs. Never throws for what it finds on the machine: that is in the report.
 */
export async function runPostureChecks(
  host: PostureHost,
  options: PostureOptionsInput | undefined = {},
): Promise<PostureReport> {
  const context: PostureCheckContext = { host, options: parsePostureOptions(options) };
  const checkedAt = host.now().toISOString();
  const checks = await Promise.all(postureChecksFor(host.platform).map((check) => runOne(check, context)));
  return { platform: host.platform, checkedAt, checks };
}
