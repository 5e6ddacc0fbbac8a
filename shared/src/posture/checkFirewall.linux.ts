import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { describeExecFailure, firstLine } from './describeExecFailure.js';
import { readNftRuleset } from './nftRuleset.js';
import { ufwState } from './ufwState.js';

const expected = 'inbound traffic is filtered (nftables default deny, or ufw/firewalld active)';
const fix = 'Turn on a firewall: `sudo ufw enable`, or `sudo systemctl enable --now firewalld`.';
const fixRead = 'Run the check as root (or from the tray service) so the nftables ruleset can be read.';

export const checkFirewallLinux: PostureCheck = {
  id: 'firewall',
  async run(context) {
    const run = (file: string, args: string[]) =>
      context.host.exec(file, args, { timeoutMs: context.options.checkTimeoutMs });
    const [nft, firewalld, ufwStatus] = await Promise.all([
      run('nft', ['-j', 'list', 'ruleset']),
      run('firewall-cmd', ['--state']),
      run('ufw', ['status']),
    ]);
    const notes: string[] = [];

    // The kernel ruleset is authoritative: ufw, firewalld and iptables-nft all end up there.
    const nftFailure = describeExecFailure('nft list ruleset', nft);
    const verdict = nftFailure ? undefined : readNftRuleset(nft.stdout);
    if (verdict && verdict.defaultDeny.length > 0) {
      return passed(`nftables: ${verdict.defaultDeny.join('; ')}`, expected);
    }

    const firewalldState = firstLine(firewalld.stdout) || firstLine(firewalld.stderr);
    if (firewalld.exitCode === 0 && firewalldState === 'running')
      return passed('firewalld: running', expected);
    const firewalldOff = firewalldState === 'not running';
    const ufw = await ufwState(context, ufwStatus);
    if (ufw.state === 'active') return passed(ufw.note, expected);

    if (verdict) {
      // Rules loaded through iptables-legacy live outside nftables, where nft cannot see them.
      const legacy = await context.host.readFile('/proc/net/ip_tables_names');
      const legacyFilter = legacy.ok && /^filter$/m.test(new TextDecoder().decode(legacy.data));
      const observed = `nftables: ${String(verdict.inputChains)} input chain(s), none refuses by default`;
      if (legacyFilter)
        return unknown(
          `${observed}; a legacy iptables filter table is loaded and was not read`,
          expected,
          fix,
        );
      if (legacy.ok || legacy.failure === 'not_found') return failed(observed, expected, fix);
      return unknown(`${observed}; /proc/net/ip_tables_names: ${legacy.detail}`, expected, fix);
    }
    notes.push(nftFailure ?? 'nft list ruleset: output not understood');
    notes.push(
      firewalldOff
        ? 'firewalld: not running'
        : (describeExecFailure('firewall-cmd --state', firewalld) ??
            `firewall-cmd --state: "${firewalldState}"`),
    );
    notes.push(ufw.note);

    // Every installed manager is known to be off: a hand-written nftables.service ruleset is the one thing left.
    const ufwOff = ufw.state === 'inactive' || ufwStatus.failure === 'not_found';
    const firewalldGone = firewalldOff || firewalld.failure === 'not_found';
    if (ufwOff && firewalldGone && (ufw.state === 'inactive' || firewalldOff)) {
      const service = await run('systemctl', ['is-active', 'nftables.service']);
      const state = firstLine(service.stdout);
      if (state === 'inactive' || state === 'failed')
        return failed(`${notes.join('; ')}; nftables.service: ${state}`, expected, fix);
      notes.push(`nftables.service: ${state || (describeExecFailure('systemctl', service) ?? 'unknown')}`);
    }
    const noTool = [nft, firewalld, ufwStatus].every((result) => result.failure === 'not_found');
    return unknown(notes.join('; '), expected, noTool ? `No firewall tool is installed. ${fix}` : fixRead);
  },
};
