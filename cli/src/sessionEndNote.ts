import type { SessionEndSource } from '@strongroom/shared/session/SessionSummary.js';

/** What `status` adds after the session's end, by where that end came from. */
export const SESSION_END_NOTE: Readonly<Record<SessionEndSource, string>> = {
  id_token: '',
  token_response: '',
  assumed: ' (assumed: the identity provider does not say when sessions end; it may end earlier)',
};
