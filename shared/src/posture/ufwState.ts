import type { PostureCheckContext } from './PostureCheck.js';
import type { ExecResult } from './PostureHost.js';
import { describeExecFailure, firstLine } from './describeExecFailure.js';

export interface UfwState {
  readonly state: 'active' | 'inactive' | undefined;
  readonly note: string;
}

/**
 * ufw's state. `ufw status` needs root; without it, /etc/ufw/ufw.conf (readable by all) says whether
 * ufw is enabled, and ufw.service being active says its boot-time start (which loads the rules when
 * ENABLED=yes) succeeded. ufw's text is translated (gettext); only the English wording is read.
 */
export async function ufwState(context: PostureCheckContext, status: ExecResult): Promise<UfwState> {
  const word = /^Status: (active|inactive)$/m.exec(status.stdout)?.[1];
  if (status.exitCode === 0 && (word === 'active' || word === 'inactive'))
    return { state: word, note: `ufw: ${word}` };
  const failure = describeExecFailure('ufw status', status) ?? 'ufw status: output not understood';
  if (status.failure === 'not_found') return { state: undefined, note: failure };
  const conf = await context.host.readFile('/etc/ufw/ufw.conf');
  const enabled = conf.ok
    ? /^ENABLED=(yes|no)\s*$/m.exec(new TextDecoder().decode(conf.data))?.[1]
    : undefined;
  if (enabled === 'no') return { state: 'inactive', note: `${failure}; /etc/ufw/ufw.conf: ENABLED=no` };
  if (enabled !== 'yes') return { state: undefined, note: failure };
  const service = await context.host.exec('systemctl', ['is-active', 'ufw.service'], {
    timeoutMs: context.options.checkTimeoutMs,
  });
  const serviceState = firstLine(service.stdout) || (describeExecFailure('systemctl', service) ?? '?');
  const note = `ufw: ENABLED=yes in /etc/ufw/ufw.conf, ufw.service ${serviceState}`;
  return { state: serviceState === 'active' ? 'active' : undefined, note };
}
