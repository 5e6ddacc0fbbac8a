import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Package boundaries (ARCHITECTURE.md, "Rule of the house"): shared/ is host-free, and only the
// hosts may touch their host APIs.
const hostFree = (extra = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'vscode', message: 'Only extension/ may import vscode.' },
        { name: 'electron', message: 'Only desktop/ may import electron.' },
        ...extra,
      ],
      patterns: [{ group: ['fastify', '@fastify/*', 'koa'], message: 'shared/ imports no web framework.' }],
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.strongroom/**',
      'test-artifacts/**',
      '**/*.js',
      '!eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'No default exports (CONVENTIONS.md).' },
        { selector: 'TSEnumDeclaration', message: 'Use string-literal unions, not enum.' },
      ],
    },
  },
  { files: ['shared/src/**/*.ts'], rules: hostFree() },
  {
    files: ['broker/src/**/*.ts', 'cli/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', 'vscode', 'electron'] },
  },
  {
    // The desktop renderer (and the DesktopApi it sees) runs in a sandboxed page: no Electron, no
    // Node; the client core only as types (issue 8: the renderer depends only on DesktopApi).
    files: ['desktop/src/renderer/**/*.ts', 'desktop/src/api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the app only through DesktopApi.' }],
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net'],
              message: 'No Node in the renderer.',
            },
            {
              group: ['@strongroom/*', 'zod'],
              allowTypeImports: true,
              message: 'Types only in the renderer.',
            },
          ],
        },
      ],
    },
  },
  { files: ['vitest.config.ts', 'eslint.config.js'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
);
