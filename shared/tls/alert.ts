/**
 * Plaintext TLS alert records, which is all a relay can say to a browser: it never holds a
 * key, so the only answer to a hello it cannot route is an unencrypted fatal alert before close.
 */

/** Alert descriptions (RFC 8446 §6), keyed by their RFC names so they grep against the spec. */
export const AlertDescription = {
  unexpected_message: 10,
  record_overflow: 22,
  handshake_failure: 40,
  access_denied: 49,
  illegal_parameter: 47,
  decode_error: 50,
  protocol_version: 70,
  internal_error: 80,
  unrecognized_name: 112,
} as const;

/** Alert levels (RFC 5246 §7.2); TLS 1.3 treats every alert as fatal but still carries the byte. */
export const AlertLevel = {
  warning: 1,
  fatal: 2,
} as const;

const RECORD_TYPE_ALERT = 21;

/**
 * Builds a plaintext alert record: type 21, version 0x0303 (what TLS 1.3 peers expect on the
 * wire, RFC 8446 §5.1), length 2, then level and description.
 */
export function tlsAlert(description: number, level: number = AlertLevel.fatal): Uint8Array {
  if (!Number.isInteger(description) || description < 0 || description > 255) {
    throw new RangeError(`Cannot build TLS alert: description is ${description}`);
  }
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) {
    throw new RangeError(`Cannot build TLS alert: level is ${level}`);
  }
  return Uint8Array.of(RECORD_TYPE_ALERT, 0x03, 0x03, 0x00, 0x02, level, description);
}
