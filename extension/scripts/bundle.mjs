// Bundles the extension with esbuild into CommonJS (VS Code loads extensions with require).
// Two bundles: extension.js is what activate() loads (small: commands, status bar, views), core.js
// is the client core (OIDC, DPoP, keychain, posture), loaded after activation so start-up stays fast.
// The keychain's native module cannot be bundled; it is copied next to the bundles.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(join(dist, 'node_modules'), { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
};

await build({
  ...common,
  entryPoints: { extension: 'src/extension.ts' },
  outdir: dist,
  // vscode is provided by the host; ./core.js is the second bundle, required lazily.
  external: ['vscode', './core.js'],
});
// zod re-exports every language's error messages as one namespace (`z.locales`), which no bundler
// can shake; the extension only ever uses the English default. This keeps zod at ~190 KiB, not 440.
const require0 = createRequire(join(root, 'package.json'));
const zodDir = dirname(require0.resolve('zod/package.json'));
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      args.importer.startsWith(zodDir) ? { path: 'zod-locales-en', namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(join(zodDir, 'v4/locales/en.js'))};`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  entryPoints: { core: 'src/core.ts' },
  outdir: dist,
  external: ['vscode', '@napi-rs/keyring'],
  plugins: [zodEnglishOnly],
});

// The native keychain binding and this platform's prebuilt binary, resolved the way Node would.
const require = createRequire(join(root, 'package.json'));
const keyringDir = dirname(require.resolve('@napi-rs/keyring/package.json'));
cpSync(keyringDir, join(dist, 'node_modules/@napi-rs/keyring'), { recursive: true, dereference: true });
const requireFromKeyring = createRequire(join(keyringDir, 'package.json'));
const { optionalDependencies = {} } = requireFromKeyring('./package.json');
for (const name of Object.keys(optionalDependencies)) {
  let dir;
  try {
    dir = dirname(requireFromKeyring.resolve(`${name}/package.json`));
  } catch {
    continue; // another platform's binary: not installed here
  }
  cpSync(dir, join(dist, 'node_modules', name), { recursive: true, dereference: true });
}
