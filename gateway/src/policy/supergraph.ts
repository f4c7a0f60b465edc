/**
 * Stock @apollo/gateway refuses a supergraph whose authorization features are linked `for: SECURITY` ("is for:
 * SECURITY but is unsupported"), because it cannot enforce them. This gateway enforces them itself (the policy
 * plugin), so it loads a copy with that argument dropped; the directives stay on the fields, and the committed
 * supergraph keeps the full form for routers that enforce them natively.
 */
const SECURITY_LINK = /(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/v[\d.]+"), for: SECURITY\)/g;

export function withEnforcedSecurityLinks(supergraphSdl: string): string {
  return supergraphSdl.replace(SECURITY_LINK, '$1)');
}
