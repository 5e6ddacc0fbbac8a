import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPolicyBundleDir } from '../../policy/defaultPolicyBundleDir.js';
import { loadPolicyBundle } from '../../policy/loadPolicyBundle.js';
import { makeBundleDir } from '../../policy/makeBundleDir.js';
import { awsRoleFor } from './awsRoleFor.js';

const RAW = 'arn:aws:iam::111122223333:role/strongroom/corp-ml-raw-reader';
const CHECKPOINTS = 'arn:aws:iam::111122223333:role/strongroom/corp-ml-checkpoints';

describe('awsRoleFor (catalog awsRoleArn mapping)', () => {
  it('maps an asset by its id, and a Role through the one mapped asset that lists it', async () => {
    const bundle = await loadPolicyBundle(defaultPolicyBundleDir());
    expect(awsRoleFor(bundle, 's3://corp-ml/raw/')).toEqual({
      target: { type: 'BucketPrefix', id: 's3://corp-ml/raw/' },
      roleArn: RAW,
    });
    expect(awsRoleFor(bundle, 'restricted-data-reader').roleArn).toBe(RAW);
    expect(awsRoleFor(bundle, 'ml-researcher')).toEqual({
      target: { type: 'BucketPrefix', id: 's3://corp-ml/checkpoints/' },
      roleArn: CHECKPOINTS,
    });
    // Assets without an awsRoleArn (a host group, a dataset) map to nothing.
    for (const name of ['gpu-a100', 'customer-pii', 'data-stewards', 'nope'])
      expect(() => awsRoleFor(bundle, name)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('refuses a Role that two mapped assets list, naming them, while each asset still maps by id', async () => {
    const catalogPath = join(defaultPolicyBundleDir(), 'catalog.json');
    const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as {
      assets: Array<Record<string, unknown>>;
    };
    catalog.assets.push({
      type: 'BucketPrefix',
      id: 's3://corp-ml/eval/',
      tier: 'internal',
      labels: [],
      owners: [],
      roles: ['ml-researcher'],
      awsRoleArn: 'arn:aws:iam::111122223333:role/strongroom/corp-ml-eval',
    });
    const { dir, cleanup } = await makeBundleDir({ 'catalog.json': JSON.stringify(catalog) });
    try {
      const bundle = await loadPolicyBundle(dir);
      expect(() => awsRoleFor(bundle, 'ml-researcher')).toThrow(
        expect.objectContaining({
          code: 'invalid_request',
          message: expect.stringMatching(/s3:\/\/corp-ml\/checkpoints\/.*s3:\/\/corp-ml\/eval\//),
        }),
      );
      expect(awsRoleFor(bundle, 's3://corp-ml/eval/').roleArn).toMatch(/corp-ml-eval$/);
    } finally {
      await cleanup();
    }
  });
});
