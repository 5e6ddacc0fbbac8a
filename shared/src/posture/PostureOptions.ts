import { z } from 'zod';
import { StrongroomError } from '../errors/StrongroomError.js';

// A process is named either by its executable's name (`falcon-sensor`) or by an absolute path
// (`/opt/CrowdStrike/falcond`, `C:\Program Files\...\MsSense.exe`). Nothing that could smuggle a
// pattern or a command: these are compared as plain strings, never passed to a shell.
const processName = z
  .string()
  .min(1)
  .max(260)
  .refine((name) => !/[*?"<>|]/.test(name) && [...name].every((char) => (char.codePointAt(0) ?? 0) >= 0x20), {
    message: 'a process name or absolute path, without wildcards or control characters',
  });

const processList = z.array(processName).max(32).default([]);

/**
 * The organisation's posture thresholds. The schema is the type, the defaults and the docs; parse
 * once with `parsePostureOptions`, which reports every problem at once and returns a frozen value.
 */
export const postureOptionsSchema = z.strictObject({
  /** Most days since the last installed OS update before `os_updates` fails. */
  maxPatchAgeDays: z.number().int().min(1).max(3650).default(30),
  /** Longest idle time (idle delay plus any grace before locking) before the screen must lock. */
  maxIdleDelaySeconds: z.number().int().min(1).max(86_400).default(900),
  /**
   * Endpoint-protection processes that must ALL be running, per platform. Empty on Linux/macOS means
   * the check cannot know what to look for and answers `unknown`; empty on Windows means "Microsoft
   * Defender real-time protection must be on".
   */
  endpointProcesses: z
    .strictObject({ linux: processList, darwin: processList, win32: processList })
    .default({ linux: [], darwin: [], win32: [] }),
  /** Each check (and each command inside it) answers `unknown` once this has passed. */
  checkTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
});

export type PosturePlatform = 'linux' | 'darwin' | 'win32';

export interface PostureOptions {
  readonly maxPatchAgeDays: number;
  readonly maxIdleDelaySeconds: number;
  readonly endpointProcesses: Readonly<Record<PosturePlatform, readonly string[]>>;
  readonly checkTimeoutMs: number;
}
export type PostureOptionsInput = z.input<typeof postureOptionsSchema>;

export function parsePostureOptions(input: unknown): PostureOptions {
  const parsed = postureOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`,
    );
    throw new StrongroomError('config_invalid', `Invalid posture options: ${problems.join('; ')}`, {
      cause: parsed.error,
      hint: 'Fix the posture settings; every problem is listed above.',
    });
  }
  const value = parsed.data;
  return Object.freeze({
    ...value,
    endpointProcesses: Object.freeze({
      linux: Object.freeze([...value.endpointProcesses.linux]),
      darwin: Object.freeze([...value.endpointProcesses.darwin]),
      win32: Object.freeze([...value.endpointProcesses.win32]),
    }),
  });
}
