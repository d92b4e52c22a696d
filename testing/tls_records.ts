/** Splits bytes into TLS records (type 20–23, version 3.x, length ≤ 2^14 + 256); counts leftovers. */
export function parseTlsRecords(bytes: Uint8Array): { count: number; trailing: number; types: Set<number> } {
  let at = 0;
  let count = 0;
  const types = new Set<number>();
  while (at + 5 <= bytes.length) {
    const type = bytes[at];
    const major = bytes[at + 1];
    const length = (bytes[at + 3] << 8) | bytes[at + 4];
    if (type < 20 || type > 23 || major !== 3 || length > 16384 + 256) break;
    if (at + 5 + length > bytes.length) break;
    types.add(type);
    at += 5 + length;
    count++;
  }
  return { count, trailing: bytes.length - at, types };
}
