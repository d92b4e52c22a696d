/**
 * The browser's address at the front of a stream: a PROXY protocol version 2 header (HAProxy's
 * binary format), sent by a relay as a stream's first bytes when the connector asked for it in its
 * hello (`sourceHeader: true`, PROTOCOL.md §5). The user server needs the address for its
 * throttles (a share link's password guesses are counted per address); TLS stays end to end —
 * the header is outside it, written by the relay, never by the browser.
 *
 * Only `PROXY` over TCP/IPv4 and TCP/IPv6 and `LOCAL` are produced and accepted; TLVs after the
 * addresses are skipped. The parser never throws: bytes that cannot begin a header are an error.
 */

export const SIGNATURE = new Uint8Array([
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
]);
/** The longest header accepted (16 + addresses + TLVs); anything longer is refused. */
export const MAX_SOURCE_HEADER = 16 + 216;

export interface Source {
  address: string;
  port: number;
}

export type SourceResult =
  | { kind: "need-more" }
  | { kind: "error"; message: string }
  /** `source` is undefined for a LOCAL header (no browser behind the stream). */
  | { kind: "header"; source: Source | undefined; used: number };

/** A LOCAL header: the stream has a browser, but its address could not be written. */
export function localSourceHeader(): Uint8Array {
  return new Uint8Array([...SIGNATURE, 0x20, 0x00, 0x00, 0x00]);
}

/** The header for a browser at `source` that reached the relay at `local` (LOCAL if either is not an IP). */
export function encodeSourceHeader(source: Source, local: Source): Uint8Array {
  try {
    return encodeAddresses(source, local);
  } catch {
    return localSourceHeader();
  }
}

function encodeAddresses(source: Source, local: Source): Uint8Array {
  const v4 = parseIPv4(source.address);
  const l4 = parseIPv4(local.address);
  if (v4 && l4) return header(0x11, [...v4, ...l4], source.port, local.port);
  const v6 = parseIPv6(source.address) ?? (v4 ? mapped(v4) : undefined);
  const l6 = parseIPv6(local.address) ?? (l4 ? mapped(l4) : undefined);
  if (!v6 || !l6) throw new TypeError(`Cannot encode address "${source.address}" or "${local.address}"`);
  return header(0x21, [...v6, ...l6], source.port, local.port);
}

function header(family: number, addresses: number[], srcPort: number, dstPort: number): Uint8Array {
  const body = addresses.length + 4;
  const out = new Uint8Array(16 + body);
  out.set(SIGNATURE, 0);
  out[12] = 0x21; // version 2, PROXY
  out[13] = family;
  out[14] = body >> 8;
  out[15] = body & 0xff;
  out.set(addresses, 16);
  const at = 16 + addresses.length;
  out[at] = srcPort >> 8;
  out[at + 1] = srcPort & 0xff;
  out[at + 2] = dstPort >> 8;
  out[at + 3] = dstPort & 0xff;
  return out;
}

/** Reads a header from the front of `buf`. */
export function decodeSourceHeader(buf: Uint8Array): SourceResult {
  const sig = Math.min(buf.length, SIGNATURE.length);
  for (let i = 0; i < sig; i++) {
    if (buf[i] !== SIGNATURE[i]) {
      return { kind: "error", message: "Stream does not begin with a source header" };
    }
  }
  if (buf.length < 16) return { kind: "need-more" };
  const version = buf[12]! >> 4;
  const command = buf[12]! & 0x0f;
  if (version !== 2) return { kind: "error", message: `Source header version ${version} is not 2` };
  if (command > 1) return { kind: "error", message: `Source header command ${command} is unknown` };
  const length = (buf[14]! << 8) | buf[15]!;
  if (16 + length > MAX_SOURCE_HEADER) return { kind: "error", message: "Source header is too long" };
  if (buf.length < 16 + length) return { kind: "need-more" };
  const used = 16 + length;
  if (command === 0) return { kind: "header", source: undefined, used };
  const family = buf[13]!;
  const a = buf.subarray(16, used);
  if (family === 0x11 && length >= 12) {
    return {
      kind: "header",
      source: { address: [...a.subarray(0, 4)].join("."), port: (a[8]! << 8) | a[9]! },
      used,
    };
  }
  if (family === 0x21 && length >= 36) {
    return {
      kind: "header",
      source: { address: formatIPv6(a.subarray(0, 16)), port: (a[32]! << 8) | a[33]! },
      used,
    };
  }
  return {
    kind: "error",
    message: `Source header family 0x${family.toString(16)} is not TCP over IPv4 or IPv6`,
  };
}

function parseIPv4(s: string): number[] | undefined {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

function mapped(v4: number[]): number[] {
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4];
}

function parseIPv6(s: string): number[] | undefined {
  if (!/^[0-9a-f:]+$/i.test(s) || s.split("::").length > 2) return undefined;
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const groups = (x: string | undefined) => (x ? x.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...h, ...Array(tail === undefined ? 0 : missing).fill("0"), ...t];
  if (all.length !== 8 || all.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** An IPv6 address in its usual short form (an IPv4-mapped one as its IPv4 address). */
function formatIPv6(b: Uint8Array): string {
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return [...b.subarray(12)].join(".");
  }
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  // The longest run of zero groups (at least two) becomes "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}
