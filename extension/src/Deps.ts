import type { AccessPort } from '@strongroom/shared/access/AccessPort.js';
import type { ElevatedTerminals } from './ElevatedTerminals.js';
import type { VscodeApi } from './VscodeApi.js';

/** What every command gets: the VS Code surface, the agent (loaded on first use), the terminals. */
export interface Deps {
  readonly vscode: VscodeApi;
  readonly access: () => Promise<AccessPort>;
  readonly terminals: ElevatedTerminals;
  readonly now: () => number;
  /** Diagnostics to the output channel. Never called with a secret. */
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}
