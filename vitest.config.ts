import { defineConfig } from 'vitest/config';

// One runner for the whole monorepo: unit tests sit beside their module (`x.test.ts`),
// end-to-end tests live in `test/src`. Workspaces import each other through built `dist/`,
// so `npm test` runs `tsc -b` first.
export default defineConfig({
  test: {
    include: ['*/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Software device keys unless a test asks for a TPM (and names its swtpm): on a machine with a
    // usable /dev/tpmrm0 "auto" would pick the TPM, and tests must not depend on the machine.
    env: { STRONGROOM_DEVICE_KEY: 'software', TPM2TOOLS_TCTI: '' },
  },
});
