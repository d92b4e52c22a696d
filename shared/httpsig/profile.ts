/**
 * Hearth's profile of RFC 9421 for server-to-server requests — the choices §1.4 of the RFC asks
 * each application to make: which components and parameters are required, which algorithm, and
 * how fresh a signature must be.
 */

/** The Signature / Signature-Input dictionary key Hearth signs under. */
export const HEARTH_LABEL = "hearth";
/** The `tag` parameter: keeps a Hearth server-to-server signature from being accepted elsewhere. */
export const HEARTH_TAG = "hearth-s2s";
/**
 * What every Hearth request signature covers: the target (method, authority, path, query), the
 * body through its Content-Digest, and the Date.
 */
export const REQUIRED_COMPONENTS: readonly string[] = [
  "@method",
  "@authority",
  "@path",
  "@query",
  "content-digest",
  "date",
];
/** How old (`now - created`, in seconds) a signature may be; also how long a nonce is remembered. */
export const DEFAULT_MAX_AGE_S = 60;
/** How far in the future `created` may be, for clocks that disagree a little. */
export const MAX_CLOCK_SKEW_S = 5;
/** Longest nonce accepted; the verifier stores each one for `maxAgeS`. */
export const MAX_NONCE_LENGTH = 128;
