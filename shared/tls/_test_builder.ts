/**
 * Test-only ClientHello builder. It writes the wire format directly (not via the parser's
 * code) so tests catch parser mistakes instead of sharing them.
 */

export interface HelloSpec {
  /** host_name entries in one server_name extension; omit for no SNI extension. */
  serverNames?: string[];
  /** Raw server_name entries, for unusual name types. Overrides serverNames. */
  nameEntries?: Array<{ type: number; name: Uint8Array }>;
  alpn?: string[];
  /** Extra extensions appended after SNI/ALPN, e.g. a large fake key share. */
  extensions?: Array<{ type: number; data: Uint8Array }>;
  /** Set false to emit a TLS 1.2 hello that has no extensions block at all. */
  withExtensions?: boolean;
  sessionIdLength?: number;
  clientVersion?: number;
}

const encoder = new TextEncoder();

export function u8(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff);
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

export function u24(n: number): Uint8Array {
  return Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function vec16(body: Uint8Array): Uint8Array {
  return concat(u16(body.length), body);
}

function vec8(body: Uint8Array): Uint8Array {
  return concat(u8(body.length), body);
}

export function extension(type: number, data: Uint8Array): Uint8Array {
  return concat(u16(type), vec16(data));
}

export function sniExtension(entries: Array<{ type: number; name: Uint8Array }>): Uint8Array {
  return extension(0, vec16(concat(...entries.map((e) => concat(u8(e.type), vec16(e.name))))));
}

export function alpnExtension(protocols: string[]): Uint8Array {
  return extension(16, vec16(concat(...protocols.map((p) => vec8(encoder.encode(p))))));
}

/** The ClientHello handshake body (after the 4-byte handshake header). */
export function helloBody(spec: HelloSpec = {}): Uint8Array {
  const sessionIdLength = spec.sessionIdLength ?? 32;
  const exts: Uint8Array[] = [];
  const entries = spec.nameEntries ??
    spec.serverNames?.map((name) => ({ type: 0, name: encoder.encode(name) }));
  if (entries) exts.push(sniExtension(entries));
  if (spec.alpn) exts.push(alpnExtension(spec.alpn));
  for (const e of spec.extensions ?? []) exts.push(extension(e.type, e.data));
  return concat(
    u16(spec.clientVersion ?? 0x0303),
    new Uint8Array(32).fill(0xab), // random
    vec8(new Uint8Array(sessionIdLength).fill(0xcd)),
    vec16(Uint8Array.of(0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f)),
    vec8(Uint8Array.of(0)), // null compression
    spec.withExtensions === false ? new Uint8Array(0) : vec16(concat(...exts)),
  );
}

/** Handshake message: type 1, 24-bit length, body. */
export function handshake(body: Uint8Array, type = 1): Uint8Array {
  return concat(u8(type), u24(body.length), body);
}

export function record(fragment: Uint8Array, type = 22, version = 0x0301): Uint8Array {
  return concat(u8(type), u16(version), u16(fragment.length), fragment);
}

/** Splits a handshake message into records whose fragment sizes are `sizes` (last takes the rest). */
export function records(message: Uint8Array, sizes: number[] = []): Uint8Array {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= message.length) break;
    out.push(record(message.subarray(at, at + size)));
    at += size;
  }
  if (at < message.length) out.push(record(message.subarray(at)));
  return concat(...out);
}

/** A complete ClientHello as it appears on the wire. */
export function buildClientHello(spec: HelloSpec = {}, sizes: number[] = []): Uint8Array {
  return records(handshake(helloBody(spec)), sizes);
}
