/** Sign-in for the user server: an OpenID Connect relying party of IdCloud (see rp.tsx). */
export { createServerAuth, type ServerAuthOptions } from "./server.ts";
export {
  type Auth,
  AuthConfigError,
  type AuthOptions,
  cloudFetch,
  createAuth,
  issuerFor,
  safeReturnTo,
} from "./rp.tsx";
export { SESSION_COOKIE, type SignedInUser } from "./session.ts";
