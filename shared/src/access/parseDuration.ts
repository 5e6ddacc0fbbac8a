import { StrongroomError } from '../errors/StrongroomError.js';

/** `2h`, `90m`, `1h30m`, `45` (minutes) → minutes. Shared by the CLI and the extension's request form. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d{1,3})h)?(?:(\d{1,4})m?)?$/.exec(text.trim());
  const minutes = m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : 0;
  if (!m || minutes <= 0)
    throw new StrongroomError('usage', `"${text}" is not a duration (examples: 2h, 90m, 1h30m).`);
  return minutes;
}
