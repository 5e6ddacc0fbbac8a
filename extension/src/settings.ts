import { isAbsolute } from 'node:path';
import { checkBrokerUrl } from '@strongroom/shared/config/checkBrokerUrl.js';
import { PROFILE_NAME } from '@strongroom/shared/config/StrongroomConfig.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import * as z from 'zod/mini';
import type { VscodeApi } from './VscodeApi.js';

/**
 * The extension's settings, validated once per read (issue 7: zod; CONVENTIONS.md: the schema is
 * the type, the defaults and the docs). `brokerUrl` and `profile` decide where tokens go, so they
 * are machine-scoped in the manifest AND read here from the user/machine level only: a workspace
 * (or a folder's `.vscode/settings.json`) cannot point the extension at another broker even if a
 * VS Code build ignored the scope. Secrets never live in settings. `zod/mini`: zod's own checks,
 * tree-shakable, so the small socket-first core (core.ts) does not load zod classic (~190 KiB, most
 * of that core's start-up time).
 */
export const settingsSchema = z.strictObject({
  brokerUrl: z.string().check(
    z.trim(),
    z.refine((v) => v === '' || checkBrokerUrl(v) === undefined, {
      error: (issue) => `strongroom.brokerUrl ${checkBrokerUrl(String(issue.input)) ?? 'is invalid'}`,
    }),
  ),
  profile: z.string().check(
    z.trim(),
    z.refine(
      (v) => v === '' || PROFILE_NAME.test(v),
      'strongroom.profile must be a profile name (letters, digits, _ and -)',
    ),
  ),
  agent: z.enum(['auto', 'inProcess'], { error: 'strongroom.agent must be "auto" or "inProcess"' }),
  cliPath: z.string().check(
    z.trim(),
    z.refine(
      (v) => v === '' || isAbsolute(v),
      'strongroom.cliPath must be an absolute path (or empty for PATH)',
    ),
  ),
  showCountdown: z.boolean({ error: 'strongroom.statusBar.showCountdown must be true or false' }),
});
export type Settings = z.infer<typeof settingsSchema>;

const MACHINE_KEYS = { brokerUrl: '', profile: '', agent: 'auto', cliPath: '' } as const;

export function readSettings(vscode: Pick<VscodeApi, 'workspace'>): Settings {
  const config = vscode.workspace.getConfiguration('strongroom');
  const machine = (key: keyof typeof MACHINE_KEYS): unknown => {
    const seen = config.inspect(key);
    return seen?.globalValue ?? seen?.defaultValue ?? MACHINE_KEYS[key];
  };
  const parsed = settingsSchema.safeParse({
    brokerUrl: machine('brokerUrl'),
    profile: machine('profile'),
    agent: machine('agent'),
    cliPath: machine('cliPath'),
    showCountdown: config.get<unknown>('statusBar.showCountdown', true),
  });
  if (!parsed.success)
    throw new StrongroomError('config_invalid', parsed.error.issues.map((i) => i.message).join('; '), {
      hint: 'Fix it in your user settings (Preferences: Open User Settings, search "strongroom").',
    });
  return Object.freeze(parsed.data);
}
