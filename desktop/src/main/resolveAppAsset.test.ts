import { describe, expect, it } from 'vitest';
import { APP_PATH_PREFIX, appBaseUrl, isAppPageUrl, pageUrl } from './appPages.js';
import { resolveAppAsset } from './resolveAppAsset.js';

const base = appBaseUrl('http://localhost:7700/some/issuer/path');

describe('app pages and assets', () => {
  it('pages live under the reserved path of the broker origin', () => {
    expect(base.toString()).toBe(`http://localhost:7700${APP_PATH_PREFIX}`);
    expect(pageUrl(base, 'approvals')).toBe('http://localhost:7700/_strongroom-desktop/approvals.html');
  });

  it('serves only plain built files from the one directory, with their content type', () => {
    expect(resolveAppAsset('http://localhost:7700/_strongroom-desktop/approvals.js?x=1', base, '/d')).toEqual(
      {
        file: '/d/approvals.js',
        contentType: 'text/javascript; charset=utf-8',
      },
    );
    expect(
      resolveAppAsset('http://localhost:7700/_strongroom-desktop/app.css', base, '/d')?.contentType,
    ).toMatch(/^text\/css/);
  });

  it('refuses traversal, sub-paths, other origins, other paths and unknown types', () => {
    for (const url of [
      'http://localhost:7700/_strongroom-desktop/../secret.js',
      'http://localhost:7700/_strongroom-desktop/%2e%2e/secret.js',
      'http://localhost:7700/_strongroom-desktop/..%2fsecret.js',
      'http://localhost:7700/_strongroom-desktop/sub/approvals.js',
      'http://localhost:7700/_strongroom-desktop/',
      'http://localhost:7700/_strongroom-desktop/approvals.js.map',
      'http://localhost:7700/_strongroom-desktop/tsconfig.tsbuildinfo',
      'http://localhost:7700/_strongroom-desktop/.env',
      'http://localhost:7700/approve/approvals.js',
      'http://localhost:7701/_strongroom-desktop/approvals.js',
      'https://localhost:7700/_strongroom-desktop/approvals.js',
      'http://evil.example/_strongroom-desktop/approvals.js',
      'not a url',
    ])
      expect(resolveAppAsset(url, base, '/d'), url).toBeUndefined();
  });

  it('isAppPageUrl: same origin and the reserved path, no userinfo, nothing unparsable', () => {
    expect(isAppPageUrl('http://localhost:7700/_strongroom-desktop/status.html', base)).toBe(true);
    for (const url of [
      undefined,
      '',
      'about:blank',
      'file:///_strongroom-desktop/status.html',
      'http://localhost:7700/approve/abc',
      'http://localhost:7700/_strongroom-desktopx/status.html',
      'http://localhost:7701/_strongroom-desktop/status.html',
      'http://localhost.evil.example/_strongroom-desktop/status.html',
      'http://user:pw@localhost:7700/_strongroom-desktop/status.html',
      'devtools://devtools/bundled/inspector.html',
    ])
      expect(isAppPageUrl(url, base), String(url)).toBe(false);
  });
});
