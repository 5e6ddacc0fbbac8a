import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP_DIR } from '../main/appPaths.js';

/** WCAG 2.1 relative luminance and contrast ratio (§1.4.3, "contrast ratio" definition). */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

function palettes(css: string): Array<Record<string, string>> {
  return [...css.matchAll(/:root\s*\{([^}]*)\}/g)].map(([, body]) =>
    Object.fromEntries(
      [...(body ?? '').matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/g)].map(([, k, v]) => [k ?? '', v ?? '']),
    ),
  );
}

describe('app.css colours (WCAG 2.1 AA: 4.5:1 for text)', () => {
  it('text, muted text, verdict colours and button text meet 4.5:1 in light and dark mode', () => {
    const css = readFileSync(join(DESKTOP_DIR, 'static', 'app.css'), 'utf8');
    const [light, dark] = palettes(css);
    expect(light).toBeDefined();
    expect(dark).toBeDefined();
    for (const palette of [light ?? {}, dark ?? {}]) {
      const bg = palette['bg'] ?? '';
      for (const fg of ['fg', 'muted', 'pass', 'fail', 'unknown', 'accent'])
        expect(contrast(palette[fg] ?? '', bg), `${fg} on bg`).toBeGreaterThanOrEqual(4.5);
      expect(
        contrast(palette['accent-fg'] ?? '', palette['accent'] ?? ''),
        'button text',
      ).toBeGreaterThanOrEqual(4.5);
      // Borders of inputs are UI components: 3:1 (§1.4.11).
      expect(contrast(palette['border'] ?? '', bg), 'borders').toBeGreaterThanOrEqual(3);
    }
  });
});
