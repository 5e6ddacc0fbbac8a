import { describe, expect, it } from 'vitest';
import { stepUpAcrValues } from './stepUpAcrValues.js';

const HWK = 'urn:strongroom:acr:hwk';

describe('stepUpAcrValues', () => {
  it('asks for the required level when the challenge names none', () => {
    expect(stepUpAcrValues(undefined, HWK)).toEqual([HWK]);
    expect(stepUpAcrValues([], HWK)).toEqual([HWK]);
  });

  it('drops weaker alternatives the provider could otherwise pick', () => {
    expect(stepUpAcrValues(['urn:mace:incommon:iap:silver', HWK, '0'], HWK)).toEqual([HWK]);
  });

  it('refuses levels it cannot compare, naming them', () => {
    for (const challenged of [['0'], ['urn:mace:incommon:iap:silver'], ['urn:strongroom:acr:hwk:weak']]) {
      expect(() => stepUpAcrValues(challenged, HWK)).toThrowError(
        expect.objectContaining({
          code: 'insufficient_authentication',
          message: expect.stringContaining(challenged[0] ?? ''),
        }),
      );
    }
  });
});
