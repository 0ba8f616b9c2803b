import './express-request';

export {
  assertAllowed,
  canManageOrganisation,
  hasRole,
  isNetworkAdmin,
  isParentOf,
  isSelf,
  mayReadAccessLog,
  organisationsWithRole,
} from './access';
export type { Actor, ActorClaims, CompactGrant, RoleGrant, RoleName } from './actor';
export { type AuthenticateOptions, authenticate, requireActor } from './authenticate';
export { createJwksVerifier, type JwksVerifierOptions, parseJwks } from './jwks-verifier';
export { hashPassword, hashToken, randomToken, verifyPassword } from './password';
export {
  generateSigningKey,
  jwksDocument,
  keyThumbprint,
  type PublicJwk,
  publicJwk,
  type SigningKey,
} from './signing-key';
export { createStaticVerifier, type StaticVerifierOptions } from './static-verifier';
export { type IssuedAccessToken, TokenIssuer, type TokenIssuerOptions } from './token-issuer';
export type { TokenCheckOptions, TokenVerifier } from './token-verifier';
