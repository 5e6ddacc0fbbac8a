import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DESKTOP_PAGES, type DesktopPage } from '../api/DesktopApi.js';
import { CONTENT_SECURITY_POLICY } from '../main/contentSecurityPolicy.js';
import { APP_ASSET_DIR, DESKTOP_DIR, ICON_DIR, PRELOAD_FILE } from '../main/appPaths.js';
import { PAGE_TITLES } from '../main/windowOptions.js';

/**
 * Bundles what tsc cannot ship as is (CONVENTIONS.md: esbuild for Electron bundles and browser
 * scripts): each page into one ES module with @simplewebauthn/browser inside (the pages load
 * nothing from anywhere else: CSP `script-src 'self'`), and the preload into one CommonJS file,
 * because a sandboxed preload cannot load ES modules or anything but `electron`. Each page's body
 * (static/pages/) gets the one head (pageHtml), the CSS and icons are copied beside them. tsc
 * type-checks the same sources.
 */
export async function buildApp(): Promise<void> {
  const src = join(DESKTOP_DIR, 'src');
  await build({
    entryPoints: DESKTOP_PAGES.map((page) => join(src, 'renderer', 'pages', `${page}.ts`)),
    outdir: APP_ASSET_DIR,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome130',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(src, 'preload', 'preload.ts')],
    outfile: PRELOAD_FILE,
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'chrome130',
    external: ['electron'],
    logLevel: 'warning',
  });
  const staticDir = join(DESKTOP_DIR, 'static');
  for (const page of DESKTOP_PAGES) {
    const body = await readFile(join(staticDir, 'pages', `${page}.html`), 'utf8');
    await writeFile(join(APP_ASSET_DIR, `${page}.html`), pageHtml(page, body));
  }
  await copyFile(join(staticDir, 'app.css'), join(APP_ASSET_DIR, 'app.css'));
  await mkdir(ICON_DIR, { recursive: true });
  for (const name of await readdir(join(staticDir, 'icons')))
    await copyFile(join(staticDir, 'icons', name), join(ICON_DIR, name));
}

/** `frame-ancestors` is ignored in a `<meta>` CSP (CSP3 §6.4.2); the header carries it. */
export const META_CSP = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');

/**
 * One head for every page: the same CSP as the response header (so a page is bound even if it
 * were loaded some other way), the stylesheet, and the page's one module script. No inline code.
 */
export function pageHtml(page: DesktopPage, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${META_CSP}" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${PAGE_TITLES[page]}</title>
    <link rel="stylesheet" href="app.css" />
    <script type="module" src="${page}.js"></script>
  </head>
  <body>
${body}  </body>
</html>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildApp();
