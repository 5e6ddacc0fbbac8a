/** The WebAuthn Relying Party derived from the issuer: the RP ID is its host name (WebAuthn L3 §5.1.4.1). */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingPartyFor(issuer: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, name: 'Strongroom', origin: url.origin };
}
