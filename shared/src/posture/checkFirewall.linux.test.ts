import { describe, expect, it } from 'vitest';
import { checkFirewallLinux } from './checkFirewall.linux.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

interface Tools {
  nft?: ExecResult;
  firewalld?: ExecResult;
  ufw?: ExecResult;
  systemctl?: ExecResult;
  ufwService?: ExecResult;
  ufwConf?: string;
  ipTablesNames?: string;
}

function run(tools: Tools) {
  const missing = recorded.failed('not_found');
  const { context } = recordedContext({
    platform: 'linux',
    homeDir: '/home/alice',
    now: new Date(),
    commands: [
      { file: 'nft', args: ['-j', 'list', 'ruleset'], result: tools.nft ?? missing },
      { file: 'firewall-cmd', args: ['--state'], result: tools.firewalld ?? missing },
      { file: 'ufw', args: ['status'], result: tools.ufw ?? missing },
      { file: 'systemctl', args: ['is-active', 'nftables.service'], result: tools.systemctl ?? missing },
      { file: 'systemctl', args: ['is-active', 'ufw.service'], result: tools.ufwService ?? missing },
    ],
    files: {
      ...(tools.ipTablesNames === undefined ? {} : { '/proc/net/ip_tables_names': tools.ipTablesNames }),
      ...(tools.ufwConf === undefined ? {} : { '/etc/ufw/ufw.conf': tools.ufwConf }),
    },
  });
  return checkFirewallLinux.run(context);
}

const nftNotRoot = recorded.exited(1, readFixture('linux/nft-not-root.txt'));

describe('checkFirewall.linux', () => {
  it('passes on the kernel ruleset: ufw (iptables-nft) input policy drop', async () => {
    const finding = await run({ nft: recorded.ok(readFixture('linux/nft-ruleset-ufw-active.json')) });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('ip filter INPUT (policy drop)');
  });

  it("passes on firewalld's unconditional final reject in an accept-policy chain", async () => {
    const finding = await run({ nft: recorded.ok(readFixture('linux/nft-ruleset-firewalld.json')) });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('ends in reject in filter_INPUT');
  });

  it('fails when only forwarding is filtered (Docker) and input just drops invalid packets', async () => {
    const finding = await run({ nft: recorded.ok(readFixture('linux/nft-ruleset-docker-open-input.json')) });
    expect(finding.status).toBe('fail');
  });

  it('fails on an empty ruleset, whatever ufw claims in another language', async () => {
    const finding = await run({
      nft: recorded.ok(''),
      ufw: recorded.ok(readFixture('linux/ufw-status-de.txt')),
    });
    expect(finding.status).toBe('fail');
  });

  it('does not fail an empty nftables ruleset while legacy iptables holds a filter table', async () => {
    const legacy = { nft: recorded.ok(''), ipTablesNames: 'nat\nfilter\n' };
    expect((await run(legacy)).status).toBe('unknown');
    // ufw on the iptables-legacy backend (Ubuntu 20.04) says so itself.
    expect(
      (await run({ ...legacy, ufw: recorded.ok(readFixture('linux/ufw-status-active.txt')) })).status,
    ).toBe('pass');
    expect((await run({ nft: recorded.ok(''), ipTablesNames: 'nat\n' })).status).toBe('fail');
  });

  it('without root, trusts firewalld running or ufw active', async () => {
    expect(
      (await run({ nft: nftNotRoot, firewalld: recorded.ok(readFixture('linux/firewall-cmd-running.txt')) }))
        .status,
    ).toBe('pass');
    expect(
      (await run({ nft: nftNotRoot, ufw: recorded.ok(readFixture('linux/ufw-status-active.txt')) })).status,
    ).toBe('pass');
  });

  it('without root, fails when ufw is inactive and nftables.service is inactive', async () => {
    const finding = await run({
      nft: nftNotRoot,
      ufw: recorded.ok(readFixture('linux/ufw-status-inactive.txt')),
      systemctl: recorded.exited(3, '', 'inactive\n'),
    });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('ufw: inactive');
  });

  it('without root on Ubuntu, reads ufw.conf ENABLED=yes plus an active ufw.service as active', async () => {
    const notRoot = { nft: nftNotRoot, ufw: recorded.exited(1, readFixture('linux/ufw-not-root.txt')) };
    const enabled = readFixture('linux/ufw.conf');
    const active = await run({ ...notRoot, ufwConf: enabled, ufwService: recorded.ok('active\n') });
    expect(active).toMatchObject({
      status: 'pass',
      observed: 'ufw: ENABLED=yes in /etc/ufw/ufw.conf, ufw.service active',
    });
    expect((await run({ ...notRoot, ufwConf: enabled })).status).toBe('unknown');
    expect(
      (await run({ ...notRoot, ufwConf: enabled, ufwService: recorded.exited(3, '', 'failed\n') })).status,
    ).toBe('unknown');
    const disabled = await run({
      ...notRoot,
      ufwConf: enabled.replace('ENABLED=yes', 'ENABLED=no'),
      systemctl: recorded.exited(3, '', 'inactive\n'),
    });
    expect(disabled.status).toBe('fail');
    expect(disabled.observed).toContain('ENABLED=no');
  });

  it('does not fail while an installed manager could not be asked (firewalld timed out)', async () => {
    const finding = await run({
      nft: nftNotRoot,
      ufw: recorded.ok(readFixture('linux/ufw-status-inactive.txt')),
      firewalld: recorded.failed('timeout'),
      systemctl: recorded.exited(3, '', 'inactive\n'),
    });
    expect(finding.status).toBe('unknown');
  });

  it('answers unknown when nothing readable says either way', async () => {
    // German ufw output cannot be read; nft needs root; ufw needs root.
    const german = await run({ nft: nftNotRoot, ufw: recorded.ok(readFixture('linux/ufw-status-de.txt')) });
    expect(german.status).toBe('unknown');
    const notRoot = await run({
      nft: nftNotRoot,
      ufw: recorded.exited(1, readFixture('linux/ufw-not-root.txt')),
    });
    expect(notRoot.status).toBe('unknown');
    expect(notRoot.observed).toContain('ERROR: You need to be root');
    // ufw off, but a hand-written nftables.service ruleset may be loaded and cannot be read.
    const service = await run({
      nft: nftNotRoot,
      ufw: recorded.ok(readFixture('linux/ufw-status-inactive.txt')),
      systemctl: recorded.ok('active\n'),
    });
    expect(service.status).toBe('unknown');
    const nothing = await run({});
    expect(nothing.status).toBe('unknown');
    expect(nothing.fix).toMatch(/No firewall tool is installed/);
    expect((await run({ nft: recorded.ok(readFixture('linux/garbage.txt')) })).status).toBe('unknown');
    expect(
      (await run({ nft: recorded.failed('timeout'), firewalld: recorded.failed('timeout') })).status,
    ).toBe('unknown');
  });
});
