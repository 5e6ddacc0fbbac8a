import type { z } from 'zod';

/** Parses command output as JSON of a known shape; undefined for anything else (never a guess). */
export function parseJson<T extends z.ZodType>(schema: T, text: string): z.output<T> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** PowerShell's ConvertTo-Json writes a one-element array as a bare object; accept both. */
export function asArray(value: unknown): unknown {
  return Array.isArray(value) ? value : [value];
}
