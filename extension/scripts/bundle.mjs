// Bundles the extension with esbuild into CommonJS (VS Code loads extensions with require).
// Five bundles, each loaded only when needed:
// - extension.js: what activate() loads (small: commands, status bar, views);
// - core.js: the socket-first client core (settings in zod/mini, the profile, the tray agent's
//   client and state), loaded right after activation to show the first state;
// - coreFull.js: the rest of the core (the commands, the session: OIDC, DPoP; the keychain, the
//   in-process agent, posture; the wire schemas in zod), required by core.js on first use, or at
//   once when no tray agent serves this profile. Module state that must exist once (refresh
//   single-flight, TPM queue, keychain cache) is only in coreFull.js; core.js passes it values;
// - aws-sts.js: the AWS SDK's STS client (without its default credential chain), used only by
//   an in-process agent's container-credentials endpoint when a terminal asks for AWS credentials.
//   The source already imports it with `await import('@aws-sdk/client-sts')`; in CommonJS esbuild
//   would inline that, so here it becomes a require() of the separate bundle at that moment.
//   Nothing of Strongroom's is in it (no class or module state is duplicated).
// - errors.js: the one StrongroomError class both of the first two use (see oneErrorClass).
// - bundleLoader.js: loads core.js and coreFull.js with a V8 code cache (src/bundleLoader.ts; see
//   throughCodeCache): one module per process, like errors.js, which extension.js configures.
// The keychain's native module cannot be bundled; it is copied next to the bundles.
//
//   node scripts/bundle.mjs [--outdir <dir>]   (default: dist; the bundle guard test builds elsewhere)
//
// Imported as a module (test/src/extensionBundle.test.ts), it builds nothing and exports its plugins.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const requireHere = createRequire(join(root, 'package.json'));

export const common = {
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

/**
 * `import('<specifier>')` of another of these bundles becomes `require('<bundle>')`, run when the
 * import() runs (esbuild wraps it lazily). In CommonJS output esbuild keeps an external import() as
 * is, and Node then starts its ESM loader and lexes the whole file for its export names (which a
 * `module.exports = …` bundle does not even declare): a require() is cheaper and keeps the names.
 */
export function requireOnDemand(bundles) {
  const names = Object.keys(bundles).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return {
    name: 'require-on-demand',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
        args.namespace === 'on-demand'
          ? { path: bundles[args.path], external: true }
          : { path: args.path, namespace: 'on-demand' },
      );
      b.onLoad({ filter: /.*/, namespace: 'on-demand' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

export const LOADER_BUNDLE = './bundleLoader.js';
/**
 * Any import of the loader (extension.ts configures it; the code below requires it) is the shared
 * bundle, never a copy: one cache configuration and one set of loaded bundles per process.
 * extension.ts import()s it when it loads the core, after activate() has returned, so that
 * require(extension.js) stays as small as before: that import() becomes a require() at that moment
 * (as in requireOnDemand), not Node's ESM loader.
 */
const oneBundleLoader = {
  name: 'one-bundle-loader',
  setup(b) {
    b.onResolve({ filter: /^\.\/bundleLoader\.js$/ }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: LOADER_BUNDLE, namespace: 'loader-on-demand' }
        : { path: LOADER_BUNDLE, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'loader-on-demand' }, () => ({
      contents: `module.exports = require(${JSON.stringify(LOADER_BUNDLE)});`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/**
 * `import('<specifier>')` of core.js or coreFull.js becomes, when the import() runs:
 *   module.exports = require('./bundleLoader.js').loadBundle(require('node:path').join(__dirname, '<bundle>'));
 * the shared loader bundle (one instance per process, from require.cache) compiles the bundle with
 * its V8 code cache in the extension's storage, and without one behaves as require() (see
 * src/bundleLoader.ts). extension.js itself is loaded by VS Code and is not affected.
 */
export function throughCodeCache(bundles) {
  const names = Object.keys(bundles).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return {
    name: 'through-code-cache',
    setup(b) {
      oneBundleLoader.setup(b);
      b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({
        path: bundles[args.path],
        namespace: 'through-code-cache',
      }));
      b.onLoad({ filter: /.*/, namespace: 'through-code-cache' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(LOADER_BUNDLE)}).loadBundle(require('node:path').join(__dirname, ${JSON.stringify(args.path)}));`,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

/**
 * StrongroomError lives in its own bundle (errors.js) that extension.js and core.js both require:
 * each bundle would otherwise carry its own copy of the class, and an error the core throws would
 * fail `instanceof StrongroomError` in extension.js (showError then said "something went wrong"
 * with no hint, offered no Sign In, and reported a cancelled sign-in as an error).
 */
export const ERRORS_BUNDLE = './errors.js';
export const oneErrorClass = {
  name: 'one-error-class',
  setup(b) {
    // Every import of it, however spelled, is one module that requires the shared bundle once.
    b.onResolve({ filter: /(^|\/)StrongroomError\.js$/ }, (args) =>
      args.namespace === 'one-error-class'
        ? { path: ERRORS_BUNDLE, external: true }
        : { path: 'StrongroomError', namespace: 'one-error-class' },
    );
    b.onLoad({ filter: /.*/, namespace: 'one-error-class' }, () => ({
      contents: `export { StrongroomError } from './StrongroomError.js';`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// zod re-exports every language's error messages as one namespace (`z.locales`), which no bundler
// can shake; the extension only ever uses the English default. This keeps zod at ~190 KiB, not 440.
const zodDir = dirname(requireHere.resolve('zod/package.json'));
export const zodEnglishOnly = {
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

const keyringDir = dirname(requireHere.resolve('@napi-rs/keyring/package.json'));

/**
 * The keychain binding's prebuilt binary packages (`@napi-rs/keyring-<platform>`) installed on this
 * machine, resolved the way Node would from the binding: the ones the .vsix ships next to the bundles.
 */
function installedKeyringPackages() {
  const requireFromKeyring = createRequire(join(keyringDir, 'package.json'));
  const { optionalDependencies = {} } = requireFromKeyring('./package.json');
  return Object.keys(optionalDependencies).flatMap((name) => {
    try {
      const manifestPath = requireFromKeyring.resolve(`${name}/package.json`);
      return [{ name, dir: dirname(manifestPath), manifest: requireFromKeyring(manifestPath) }];
    } catch {
      return []; // another platform's binary: not installed here
    }
  });
}

/** Those packages by `<os>-<cpu>`, for the shim below. */
function installedKeyringBinaries() {
  const byPlatform = {};
  for (const { name, manifest } of installedKeyringPackages())
    for (const os of manifest.os ?? [])
      for (const cpu of manifest.cpu ?? []) {
        const key = `${os}-${cpu}`;
        // glibc first where both are installed; a musl system falls back to index.js (below).
        if (byPlatform[key] === undefined || (manifest.libc ?? []).includes('glibc')) byPlatform[key] = name;
      }
  return byPlatform;
}

/**
 * `import('@napi-rs/keyring')` loads this platform's prebuilt binary package directly when the build
 * ships one for it: the binding's own index.js first reads /usr/bin/ldd and tries a .node file beside
 * it (~3 ms on the in-process agent's way to its first state) before requiring that same package.
 * Anything else (another platform, a musl system, a binary named in NAPI_RS_NATIVE_LIBRARY_PATH, a
 * failed load) goes through index.js as before.
 */
export const directKeyringBinary = {
  name: 'direct-keyring-binary',
  setup(b) {
    b.onResolve({ filter: /^@napi-rs\/keyring$/ }, (args) =>
      args.namespace === 'direct-keyring'
        ? undefined
        : { path: '@napi-rs/keyring', namespace: 'direct-keyring' },
    );
    b.onLoad({ filter: /.*/, namespace: 'direct-keyring' }, () => ({
      contents: `const byPlatform = ${JSON.stringify(installedKeyringBinaries())};
const name = byPlatform[process.platform + '-' + process.arch];
// A musl system (its dynamic loader in /lib) may load a glibc binary and abort later on a missing
// symbol, so there the binding's own loader chooses; so it does when the user names a binary.
const musl = () => {
  try {
    return require('node:fs').readdirSync('/lib').some((f) => f.startsWith('ld-musl-'));
  } catch {
    return false;
  }
};
let binding;
if (
  name !== undefined &&
  !process.env.NAPI_RS_NATIVE_LIBRARY_PATH &&
  !(process.platform === 'linux' && musl())
)
  try {
    binding = require(name);
  } catch {
    binding = undefined;
  }
module.exports = binding ?? require('@napi-rs/keyring');`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/** The rest of the core (see coreFull.ts), which core.js imports dynamically. */
export const FULL_BUNDLE = './coreFull.js';

// `@aws-sdk/client-sts` (imported dynamically) becomes `require('./aws-sts.js')`, the bundle below.
export const STS_BUNDLE = './aws-sts.js';
/** The plugins coreFull.js is built with (also for anything built from the core's modules). */
export const corePlugins = [
  zodEnglishOnly,
  // The keychain binding (CommonJS, copied next to the bundles) is imported dynamically on the first
  // vault call: a require(), not Node's ESM loader (~25 ms before the in-process agent's first state),
  // of this platform's binary where the build ships it.
  directKeyringBinary,
  requireOnDemand({ '@aws-sdk/client-sts': STS_BUNDLE }),
  oneErrorClass,
];

/** One module graph built the way coreFull.js is (tests build a probe of the core's modules with it). */
export async function bundleLikeCore(contents, outfile) {
  await build({
    ...common,
    stdin: { contents, resolveDir: root, loader: 'js' },
    outfile,
    external: ['vscode', '@napi-rs/keyring'],
    plugins: corePlugins,
  });
}

/**
 * In aws-sts.js, the SDK's default credential chain (env, ini files, SSO, process, web identity,
 * IMDS; with their nested SSO, SSO-OIDC and sign-in clients) is left out: the only call made is
 * AssumeRoleWithWebIdentity, which STS takes unsigned (the client's auth scheme for it is
 * smithy.api#noAuth), so the chain is never asked. Were it ever asked, it fails loudly instead of
 * picking up whatever AWS credentials the machine has.
 */
export const noDefaultAwsCredentials = {
  name: 'no-default-aws-credentials',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: 'credential-provider-node',
      namespace: 'no-default-aws-credentials',
    }));
    b.onLoad({ filter: /.*/, namespace: 'no-default-aws-credentials' }, () => ({
      contents: `exports.defaultProvider = () => async () => {
  throw new Error('Strongroom calls STS without AWS credentials (web identity); the default credential chain is not bundled.');
};`,
      loader: 'js',
    }));
  },
};

/** dist/bundleLoader.js alone (also for the loader's own tests, which run it in fresh processes). */
export async function buildBundleLoader(dist) {
  await build({ ...common, entryPoints: { bundleLoader: 'src/bundleLoader.ts' }, outdir: dist });
}

export async function bundleExtension(dist) {
  rmSync(join(dist, 'node_modules'), { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });

  await build({
    ...common,
    entryPoints: { errors: requireHere.resolve('@strongroom/shared/errors/StrongroomError.js') },
    outdir: dist,
  });

  await buildBundleLoader(dist);

  await build({
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: dist,
    // vscode is provided by the host; ./core.js is the second bundle, loaded on first use through
    // the code cache.
    external: ['vscode'],
    plugins: [throughCodeCache({ './core.js': 'core.js' }), oneErrorClass],
  });

  await build({
    ...common,
    entryPoints: { core: 'src/core.ts' },
    outdir: dist,
    external: ['vscode', '@napi-rs/keyring'],
    // ./coreFull.js is the next bundle, loaded on first use through the code cache.
    plugins: [zodEnglishOnly, throughCodeCache({ [FULL_BUNDLE]: 'coreFull.js' }), oneErrorClass],
  });

  await build({
    ...common,
    entryPoints: { coreFull: 'src/coreFull.ts' },
    outdir: dist,
    external: ['vscode', '@napi-rs/keyring'],
    plugins: corePlugins,
  });

  await build({
    ...common,
    stdin: { contents: "module.exports = require('@aws-sdk/client-sts');", resolveDir: root, loader: 'js' },
    outfile: join(dist, STS_BUNDLE),
    plugins: [noDefaultAwsCredentials],
  });

  // The native keychain binding and this platform's prebuilt binary.
  cpSync(keyringDir, join(dist, 'node_modules/@napi-rs/keyring'), { recursive: true, dereference: true });
  for (const { name, dir } of installedKeyringPackages())
    cpSync(dir, join(dist, 'node_modules', name), { recursive: true, dereference: true });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdirArg = process.argv.indexOf('--outdir');
  await bundleExtension(outdirArg > 0 ? resolve(process.argv[outdirArg + 1] ?? '') : join(root, 'dist'));
}
