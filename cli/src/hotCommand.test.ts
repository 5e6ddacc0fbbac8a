import { describe, expect, it } from 'vitest';
import { hotCommand } from './hotCommand.js';

describe('hotCommand', () => {
  it.each([
    [['status'], { name: 'status', json: false }],
    [['status', '--json'], { name: 'status', json: true }],
    [['token'], { name: 'token', json: false }],
    [['token', '--json'], { name: 'token', json: true }],
  ])('%j runs without commander', (args, expected) => {
    expect(hotCommand(args)).toEqual(expected);
  });

  it.each([
    [[]],
    [['login']],
    [['status', '--help']],
    [['token', '--json', '--json']],
    [['--profile', 'x', 'status']],
    [['status', 'extra']],
    [['statu']],
  ])('%j goes to the full parser', (args) => {
    expect(hotCommand(args)).toBeUndefined();
  });
});
