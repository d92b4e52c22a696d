/** The one error type this folder throws for anything a peer sent or a caller passed in. */

/**
 * A signature, digest or structured field that cannot be parsed, built or accepted. Verifiers
 * turn every one into a 401; the message says which check failed, for the log.
 */
export class HttpSigError extends Error {
  override name = "HttpSigError";
}

/** Quotes a peer-supplied value for an error message, cut short so a log line stays a line. */
export function quote(value: string, max = 64): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
