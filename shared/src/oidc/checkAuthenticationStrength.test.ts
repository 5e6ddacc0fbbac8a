import { describe, expect, it } from 'vitest';
import { checkAuthenticationStrength } from './checkAuthenticationStrength.js';

const ACR = 'urn:strongroom:acr:hwk';

describe('checkAuthenticationStrength', () => {
  it('accepts hwk with the required acr', () => {
    expect(checkAuthenticationStrength({ amr: ['hwk', 'user'], acr: ACR }, [ACR])).toEqual({
      amr: ['hwk', 'user'],
      acr: ACR,
    });
  });
  it.each([
    [{ amr: ['pwd', 'otp'], acr: ACR }, /"amr" is \[pwd, otp\], without "hwk"/],
    [{ acr: ACR }, /"amr" is missing/],
    [{ amr: 'hwk', acr: ACR }, /"amr" is missing/],
    [
      { amr: ['hwk'], acr: 'urn:mace:incommon:iap:silver' },
      /"acr" is "urn:mace:incommon:iap:silver", weaker than the required/,
    ],
    [{ amr: ['hwk'] }, /no "acr"/],
    [{ amr: ['swk'], acr: '0' }, /without "hwk".*weaker/],
  ])('refuses %j and names the problem', (claims, message) => {
    expect(() => checkAuthenticationStrength(claims, [ACR])).toThrow(message);
    try {
      checkAuthenticationStrength(claims, [ACR]);
    } catch (error) {
      expect(error).toMatchObject({ code: 'insufficient_authentication' });
    }
  });
});
