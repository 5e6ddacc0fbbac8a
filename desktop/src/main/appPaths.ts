import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The desktop package's directory (modules run from dist/<folder>/). */
export const DESKTOP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The app's pages, scripts, styles: what the app's origin serves (resolveAppAsset.ts). */
export const APP_ASSET_DIR = join(DESKTOP_DIR, 'dist', 'app');
/** The sandboxed preload, one CommonJS bundle (buildApp.ts). */
export const PRELOAD_FILE = join(DESKTOP_DIR, 'dist', 'preload', 'preload.cjs');
export const ICON_DIR = join(DESKTOP_DIR, 'dist', 'icons');
