/** RFC 8693 §2.1 / §3 identifiers. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/**
 * Parameters of a token-exchange request the broker reads. `grant_id` is Strongroom's: the JIT
 * grant to issue under (else the covering active grant that lasts longest). oidc-provider drops
 * every other parameter and refuses duplicates (one audience per token).
 */
export const TOKEN_EXCHANGE_PARAMS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'grant_id',
] as const;

export type TokenExchangeParams = Partial<Record<(typeof TOKEN_EXCHANGE_PARAMS)[number], string>>;
