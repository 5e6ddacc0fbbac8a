import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP_PAGES } from '../api/DesktopApi.js';
import { CONTENT_SECURITY_POLICY } from '../main/contentSecurityPolicy.js';
import { DESKTOP_DIR } from '../main/appPaths.js';
import { META_CSP, pageHtml } from './buildApp.js';

describe('page HTML', () => {
  it('the meta CSP is the header CSP (without frame-ancestors, which meta cannot carry)', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(`${META_CSP}; frame-ancestors 'none'`).toBe(CONTENT_SECURITY_POLICY);
    for (const directive of [
      "script-src 'self'",
      "connect-src 'none'",
      "default-src 'none'",
      "object-src 'none'",
      "base-uri 'none'",
    ])
      expect(META_CSP).toContain(directive);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('page bodies carry no script, inline handler, style attribute, link or form target of their own', () => {
    const dir = join(DESKTOP_DIR, 'static', 'pages');
    expect(readdirSync(dir).sort()).toEqual(DESKTOP_PAGES.map((p) => `${p}.html`).sort());
    for (const page of DESKTOP_PAGES) {
      const body = readFileSync(join(dir, `${page}.html`), 'utf8');
      expect(body, page).not.toMatch(/<script|<iframe|<a\s|\son[a-z]+=|\sstyle=|action=|javascript:/i);
      const html = pageHtml(page, body);
      expect(html.match(/<script/g)).toHaveLength(1);
      expect(html).toContain(`<script type="module" src="${page}.js"></script>`);
    }
  });

  it('every form control in the pages has a label (accessibility)', () => {
    for (const page of DESKTOP_PAGES) {
      const body = readFileSync(join(DESKTOP_DIR, 'static', 'pages', `${page}.html`), 'utf8');
      for (const [, id] of body.matchAll(/<(?:input|select|textarea)[^>]*\sid="([^"]+)"/g))
        expect(body, `${page}#${id}`).toContain(`<label for="${id}">`);
      expect(body, page).toMatch(/role="status"/);
      expect(body, page).toMatch(/<h1>/);
    }
  });
});
