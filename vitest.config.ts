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
  },
});
