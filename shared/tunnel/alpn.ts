/** ALPN protocol ids on the relay's tunnel port, and their TLS wire encoding. */

/** Speaks the tunnel protocol (hello, then yamux): see edge/relay/PROTOCOL.md. */
export const TUNNEL_ALPN = "hearth-tunnel/1";
/** Plain HTTP/1.1 on the tunnel port, for `/healthz`. */
export const HTTP_ALPN = "http/1.1";

/** The ALPN extension's wire format (length-prefixed names), which Bun's TLS options take. */
export function alpnWire(protocols: string[]): Uint8Array {
  const parts = protocols.map((p) => new TextEncoder().encode(p));
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    if (p.length === 0 || p.length > 255) throw new RangeError(`ALPN protocol "${p}" must be 1-255 bytes`);
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}
