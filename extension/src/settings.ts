import { isAbsolute } from 'node:path';
import { checkBrokerUrl } from '@strongroom/shared/config/checkBrokerUrl.js';
import { PROFILE_NAME } from '@strongroom/shared/config/StrongroomConfig.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { z } from 'zod';
import type { VscodeApi } from './VscodeApi.js';

/**
 * The extension's settings, validated once per read (issue 7: zod; CONVENTIONS.md: the schema is
 * the type, the defaults and the docs). `brokerUrl` and `profile` decide where tokens go, so they
 * are machine-scoped in the manifest AND read here from the user/machine level only: a workspace
 * (or a folder's `.vscode/settings.json`) cannot point the extension at another broker even if a
 * VS Code build ignored the scope. Secrets never live in settings.
 */
export const settingsSchema = z.strictObject({
  brokerUrl: z
    .string()
    .trim()
    .refine((v) => v === '' || checkBrokerUrl(v) === undefined, {
      error: (issue) => `strongroom.brokerUrl ${checkBrokerUrl(String(issue.input)) ?? 'is invalid'}`,
    }),
  profile: z
    .string()
    .trim()
    .refine(
      (v) => v === '' || PROFILE_NAME.test(v),
      'strongroom.profile must be a profile name (letters, digits, _ and -)',
    ),
  agent: z.enum(['auto', 'inProcess']),
  cliPath: z
    .string()
    .trim()
    .refine(
      (v) => v === '' || isAbsolute(v),
      'strongroom.cliPath must be an absolute path (or empty for PATH)',
    ),
  /**
   * Host groups each role's elevated terminal gets an SSH certificate for (role id → host group
   * ids), since the client cannot read the policy catalog. A grant for a HostGroup itself needs no
   * entry. Machine-scoped: a workspace must not make the extension ask for certificates.
   */
  sshHostGroups: z.record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'strongroom.sshHostGroups keys must be role ids'),
    z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'strongroom.sshHostGroups lists host group ids'),
      )
      .max(20, 'strongroom.sshHostGroups: at most 20 host groups per role'),
  ),
  showCountdown: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

/**
 * The host groups an elevated terminal for `grant` gets SSH certificates for: a HostGroup grant its
 * own, a Role the groups `strongroom.sshHostGroups` maps it to, anything else none.
 */
export function sshHostGroupsFor(
  settings: Pick<Settings, 'sshHostGroups'>,
  grant: { target: { type: string; id: string } },
): readonly string[] {
  if (grant.target.type === 'HostGroup') return [grant.target.id];
  if (grant.target.type !== 'Role') return [];
  return Object.hasOwn(settings.sshHostGroups, grant.target.id)
    ? (settings.sshHostGroups[grant.target.id] ?? [])
    : [];
}

const MACHINE_KEYS = { brokerUrl: '', profile: '', agent: 'auto', cliPath: '', sshHostGroups: {} } as const;

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
    sshHostGroups: machine('sshHostGroups'),
    showCountdown: config.get<unknown>('statusBar.showCountdown', true),
  });
  if (!parsed.success)
    throw new StrongroomError('config_invalid', parsed.error.issues.map((i) => i.message).join('; '), {
      hint: 'Fix it in your user settings (Preferences: Open User Settings, search "strongroom").',
    });
  return Object.freeze(parsed.data);
}
