import { describe, expect, it } from 'vitest';
import { appBaseUrl } from './appPages.js';
import { ALLOWED_PERMISSIONS, permissionDecision } from './permissionPolicy.js';

const base = appBaseUrl('http://localhost:7700');

describe('permissionDecision', () => {
  it('allows nothing, not even to the app’s own pages (WebAuthn is not a permission)', () => {
    expect(ALLOWED_PERMISSIONS.size).toBe(0);
    for (const permission of [
      'notifications',
      'media',
      'clipboard-read',
      'clipboard-sanitized-write',
      'geolocation',
      'openExternal',
      'fullscreen',
      'hid',
      'usb',
      'unknown',
    ])
      for (const url of [
        'http://localhost:7700/_strongroom-desktop/approvals.html',
        'https://evil.example/',
        undefined,
      ])
        expect(permissionDecision(permission, url, base), `${permission} ${String(url)}`).toBe(false);
  });
});
