import { describe, expect, it } from 'vitest';
import { coversLine } from './grants.js';

describe('strongroom grants: what a Role grant covers', () => {
  it("lists the broker's covers for a Role grant; nothing for an asset grant or without covers", () => {
    const role = { type: 'Role', id: 'ml-researcher' };
    expect(
      coversLine({
        target: role,
        covers: [
          { type: 'HostGroup', id: 'gpu-a100' },
          { type: 'Service', id: 'ml-git' },
        ],
      }),
    ).toBe('covers HostGroup gpu-a100, Service ml-git');
    expect(coversLine({ target: role, covers: [] })).toBe('covers no asset you get credentials for');
    expect(coversLine({ target: role })).toBeUndefined();
    const hostGroup = { type: 'HostGroup', id: 'gpu-prod' };
    expect(coversLine({ target: hostGroup, covers: [hostGroup] })).toBeUndefined();
  });
});
