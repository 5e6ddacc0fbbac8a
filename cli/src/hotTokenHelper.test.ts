import { describe, expect, it } from 'vitest';
import { hotTokenHelper } from './hotTokenHelper.js';

describe('hotTokenHelper', () => {
  it.each([
    [['git-credential', 'get'], { name: 'git-credential', action: 'get' }],
    [['git-credential', 'store'], { name: 'git-credential', action: 'store' }],
    [['git-credential', 'erase'], { name: 'git-credential', action: 'erase' }],
    [['kube-credential', '--cluster', 'k8s-training'], { name: 'kube-credential', cluster: 'k8s-training' }],
  ])('%j runs without commander', (args, expected) => {
    expect(hotTokenHelper(args)).toEqual(expected);
  });

  it.each([
    [['git-credential']],
    [['git-credential', 'frobnicate']],
    [['git-credential', 'get', 'extra']],
    [['git-credential', '--help']],
    [['kube-credential']],
    [['kube-credential', '--cluster']],
    [['kube-credential', '--cluster', '--help']],
    [['kube-credential', '--cluster=k8s-training']],
    [['kube-credential', '--cluster', 'c', '--profile', 'p']],
    [['--profile', 'p', 'git-credential', 'get']],
    [['git-credentials', 'get']],
  ])('%j goes to the full parser', (args) => {
    expect(hotTokenHelper(args)).toBeUndefined();
  });
});
