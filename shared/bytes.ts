/** Byte helpers for parsers that accumulate input across reads. */

/** `a` followed by `b`, in a new array (`a` alone when `b` is empty). */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
