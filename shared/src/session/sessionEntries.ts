/** Names of a profile's vault entries. One entry per credential (ARCHITECTURE.md, "Credentials"). */
export const SESSION_ENTRY = 'session';
export const ACCESS_TOKEN_ENTRY = 'access_token';
export const REFRESH_TOKEN_ENTRY = 'refresh_token';
