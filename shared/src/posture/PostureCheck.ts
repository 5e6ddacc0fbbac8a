import type { PostureCheckId } from './PostureCheckId.js';
import type { PostureFinding } from './PostureFinding.js';
import type { PostureHost } from './PostureHost.js';
import type { PostureOptions } from './PostureOptions.js';

export interface PostureCheckContext {
  readonly host: PostureHost;
  readonly options: PostureOptions;
}

/**
 * One fact about the device, read one way on one OS (`checkX.linux.ts`, `checkX.darwin.ts`,
 * `checkX.win32.ts`). `run` never throws on purpose and never answers `pass` for a fact it could not
 * read: a missing tool, a refused permission, a timeout or output it cannot interpret is `unknown`.
 */
export interface PostureCheck {
  readonly id: PostureCheckId;
  readonly run: (context: PostureCheckContext) => Promise<PostureFinding>;
}
