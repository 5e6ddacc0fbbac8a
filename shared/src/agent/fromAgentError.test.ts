import { describe, expect, it } from 'vitest';
import { fromAgentError } from './fromAgentError.js';

describe('fromAgentError', () => {
  it('keeps the codes a client maps itself, and tells "not served here" apart from "bad request"', () => {
    expect(fromAgentError({ code: 'locked', message: 'm' })).toMatchObject({ code: 'locked', message: 'm' });
    expect(fromAgentError({ code: 'posture_failing', message: 'm', hint: 'h' })).toMatchObject({
      code: 'posture_failing',
      hint: 'h',
    });
    // An older agent without the method: a helper may work alone.
    expect(fromAgentError({ code: 'unknown_method', message: 'm' }).code).toBe('not_supported');
    // The caller's mistake: final, so a locked agent's answer to a malformed ask is not a way around it.
    expect(fromAgentError({ code: 'invalid_params', message: 'm' }).code).toBe('usage');
    expect(fromAgentError({ code: 'bad_frame', message: 'm' }).code).toBe('internal');
  });
});
