import { readFile } from 'node:fs/promises';
import { StrongroomError } from '../errors/StrongroomError.js';
import { defaultConfig, type StrongroomConfig } from './StrongroomConfig.js';
import { parseStrongroomConfig } from './parseStrongroomConfig.js';

/** Reads the config file; a missing file means the defaults (one profile on the local broker). */
export async function readStrongroomConfig(path: string): Promise<StrongroomConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw new StrongroomError('config_invalid', `Cannot read the Strongroom config at ${path}.`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StrongroomError('config_invalid', `The Strongroom config at ${path} is not valid JSON.`, {
      cause: error,
      hint: 'Fix the file, or delete it and set it again with `strongroom config set-broker <url>`.',
    });
  }
  return parseStrongroomConfig(json, path);
}
