import { join } from 'node:path';
import { APP_PATH_PREFIX } from './appPages.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** One flat directory of built files: `status.html`, `approvals.js`, `app.css`, … */
const FILE_NAME = /^[a-z][a-z0-9-]{0,40}\.(html|js|css|png|svg)$/;

export interface AppAsset {
  file: string;
  contentType: string;
}

/**
 * Maps a request on the app's origin to a packaged file, or undefined (answered 404 by the
 * caller). Only plain names in the one built directory: no sub-paths, no `..`, no query tricks
 * reaching other files. Shared by the Electron protocol handler and the Chromium test harness, so
 * the tests load pages exactly as the app does.
 */
export function resolveAppAsset(url: string, base: URL, assetDir: string): AppAsset | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.origin !== base.origin || !parsed.pathname.startsWith(APP_PATH_PREFIX)) return undefined;
  const name = parsed.pathname.slice(APP_PATH_PREFIX.length);
  const match = FILE_NAME.exec(name);
  if (match === null) return undefined;
  const contentType = CONTENT_TYPES[`.${match[1] ?? ''}`];
  if (contentType === undefined) return undefined;
  return { file: join(assetDir, name), contentType };
}
