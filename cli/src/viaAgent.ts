import { homedir } from 'node:os';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import type { AgentStatusResult } from '@strongroom/shared/protocol/agentApi.js';
import { EXIT } from './exitCodes.js';
import { formatTime } from './formatTime.js';
import type { HotCommand } from './hotCommand.js';
import { SESSION_END_NOTE } from './sessionEndNote.js';
import { withRunningAgent } from './withRunningAgent.js';

/** Agent answers after which the CLI works alone instead (another profile, not signed in there). */
const WORK_ALONE = new Set(['not_found', 'not_signed_in']);

/**
 * `strongroom status` / `token` through a running agent (issue 8): one round trip on the local
 * socket instead of keychain reads and maybe a refresh. Kept tiny for the hot path: no zod, no
 * commander, no keychain module. Returns undefined when no agent runs (or it serves another
 * profile, or it does not know the session yet), and the command then works alone. An agent that
 * refuses (locked, posture failing) is final: working alone would sidestep its checks.
 */
export async function viaAgent(hot: HotCommand, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  return withRunningAgent(env, WORK_ALONE, async (client) => {
    const config = await readStrongroomConfig(configPath(env, homedir()));
    const profile = env['STRONGROOM_PROFILE'] ?? config.currentProfile;
    if (hot.name === 'token') {
      const answer = await client.request('token', { profile });
      process.stderr.write(
        `strongroom: warning: this prints a live access token (DPoP-bound to this device, expires ${new Date(answer.expiresAt).toISOString()}). ` +
          'Do not paste it into logs, tickets or chats.\n',
      );
      process.stdout.write(
        hot.json
          ? `${JSON.stringify({ access_token: answer.accessToken, token_type: 'DPoP', expires_at: new Date(answer.expiresAt).toISOString() })}\n`
          : `${answer.accessToken}\n`,
      );
      return EXIT.ok;
    }
    const status = await client.request('status', { profile });
    // A lock is the agent's to report; a plain "signed out" may be a sign-in it has not seen yet.
    if (status.session.status !== 'signedIn' && status.locked === null) return undefined;
    return printStatus(status, hot.json);
  });
}

function printStatus(s: AgentStatusResult, json: boolean): number {
  const iso = (t: number): string => new Date(t).toISOString();
  const via = { pid: s.agent.pid, version: s.agent.version, connected: s.connected };
  if (s.session.status !== 'signedIn') {
    const reason = s.locked?.reason ?? 'not signed in';
    if (json)
      process.stdout.write(
        `${JSON.stringify({ signedIn: false, profile: s.agent.profile, broker: s.agent.broker, locked: s.locked, agent: via })}\n`,
      );
    else
      process.stderr.write(
        `Not signed in to ${s.agent.broker} (profile "${s.agent.profile}"): ${reason}\n  Run \`strongroom login\` to sign in again.\n`,
      );
    return EXIT.notSignedIn;
  }
  const { session } = s;
  if (json) {
    const out = {
      signedIn: true,
      profile: session.profile,
      broker: session.broker,
      subject: session.user.subject,
      email: session.user.email,
      name: session.user.name,
      amr: session.amr,
      acr: session.acr,
      authTime: iso(session.authTime),
      accessTokenExpiresAt: iso(session.accessTokenExpiresAt),
      sessionExpiresAt: iso(session.sessionEndsAt),
      sessionEndSource: session.sessionEndSource,
      deviceKey: session.deviceKey,
      grants: s.grants,
      posture: s.posture,
      agent: via,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return EXIT.ok;
  }
  const who = session.user.email ?? session.user.name ?? session.user.subject;
  const lines = [
    `Signed in to ${session.broker} as ${who} (profile "${session.profile}")`,
    `  how:            ${session.amr.join(', ')} (acr ${session.acr})`,
    `  signed in:      ${formatTime(session.authTime, s.now)}`,
    `  session ends:   ${formatTime(session.sessionEndsAt, s.now)}${SESSION_END_NOTE[session.sessionEndSource]}`,
    `  access token:   ${session.accessTokenExpiresAt > s.now ? `valid until ${formatTime(session.accessTokenExpiresAt, s.now)}` : 'expired; refreshed on next use'}`,
    `  device key:     ${session.deviceKey.protection}, ${session.deviceKey.thumbprint}`,
    `  posture:        ${s.posture.status}${s.posture.failing.length > 0 ? ` (${s.posture.failing.map((c) => `${c.title}: ${c.status}`).join(', ')})` : ''}`,
    ...s.grants.map(
      (g) =>
        `  grant:          ${g.target.id} ${g.state === 'active' ? `active, ${String(Math.ceil((g.secondsLeft ?? 0) / 60))} min left` : 'approved, not activated'} (${g.id})`,
    ),
    `  agent:          pid ${String(s.agent.pid)}${s.connected ? '' : ' (broker events not connected)'}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return EXIT.ok;
}
