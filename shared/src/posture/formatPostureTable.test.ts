import { describe, expect, it } from 'vitest';
import { formatPostureTable } from './formatPostureTable.js';
import type { PostureReport } from './PostureReport.js';

const report: PostureReport = {
  platform: 'linux',
  checkedAt: '2026-11-26T07:00:00.000Z',
  checks: [
    {
      id: 'disk_encryption',
      title: 'Disk encryption (home volume)',
      status: 'pass',
      observed: '/home/a is on luks-1 (crypt)',
      expected: 'x',
      fix: '',
      durationMs: 3,
    },
    {
      id: 'firewall',
      title: 'Firewall',
      status: 'fail',
      observed: 'ufw: inactive',
      expected: 'x',
      fix: 'sudo ufw enable',
      durationMs: 3,
    },
    {
      id: 'screen_lock',
      title: 'Screen lock',
      status: 'unknown',
      observed: 'no desktop session',
      expected: 'x',
      fix: 'Run it in your session.',
      durationMs: 3,
    },
  ],
};

describe('formatPostureTable', () => {
  it('prints aligned rows, a summary, and the fixes for what did not pass', () => {
    expect(formatPostureTable(report)).toBe(
      [
        'Device posture (linux, 2026-11-26T07:00:00.000Z)',
        '',
        'CHECK                          STATUS   OBSERVED',
        'Disk encryption (home volume)  PASS     /home/a is on luks-1 (crypt)',
        'Firewall                       FAIL     ufw: inactive',
        'Screen lock                    UNKNOWN  no desktop session',
        '',
        '1 pass, 1 fail, 1 unknown',
        '',
        'To fix:',
        '  FAIL Firewall: sudo ufw enable',
        '  UNKNOWN Screen lock: Run it in your session.',
        '',
      ].join('\n'),
    );
  });

  it('strips terminal escapes and bidi overrides that a process name could smuggle in', () => {
    const hostile: PostureReport = {
      ...report,
      checks: [
        {
          ...report.checks[0],
          id: 'endpoint_protection',
          title: 'Endpoint protection',
          status: 'fail',
          observed: 'not running: \u001b[32mPASS\u001b[0m\u202e\r\nfake',
          fix: 'x\u001b]0;pwned\u0007',
          expected: 'x',
          durationMs: 1,
        },
      ],
    };
    const text = formatPostureTable(hostile);
    for (const smuggled of ['\u001b', '\u202e', '\u0007', '\r']) expect(text).not.toContain(smuggled);
    expect(text).toContain('not running: [32mPASS [0m fake');
  });

  it('shortens long observations to the column width', () => {
    const long: PostureReport = {
      ...report,
      checks: [
        {
          ...report.checks[1],
          id: 'firewall',
          title: 'Firewall',
          status: 'fail',
          observed: 'x'.repeat(200),
          expected: 'x',
          fix: 'f',
          durationMs: 1,
        },
      ],
    };
    const row = formatPostureTable(long, { observedWidth: 20 })
      .split('\n')
      .find((line) => line.startsWith('Firewall'));
    expect(row?.endsWith(`${'x'.repeat(19)}…`)).toBe(true);
  });
});
