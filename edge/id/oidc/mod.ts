/** IdCloud's OpenID Connect provider (see routes.tsx for the endpoints). */
export { createOidcRoutes, discovery } from "./routes.tsx";
export { OAuthError } from "./errors.ts";
export { registerClient, registerServerClient } from "./clients.ts";
export {
  currentSigningKey,
  OVERLAP_MS,
  publicJwks,
  ROTATE_EVERY_MS,
  rotateKeys,
  rotateKeysIfDue,
} from "./keys.ts";
