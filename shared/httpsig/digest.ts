/**
 * Content-Digest (RFC 9530): a hash of the request body in a header, so that a signature covering
 * the header covers the body without the signature base having to carry it.
 */
import { HttpSigError, quote } from "./errors.ts";
import { parseDictionary, serializeDictionary } from "./structured_fields.ts";

/**
 * Algorithms accepted when verifying, by their RFC 9530 names. Both are "standard" in the IANA
 * registry; the deprecated ones (md5, sha, unixsum, …) are ignored like unknown ones.
 */
const ALGORITHMS: Record<string, string> = { "sha-256": "SHA-256", "sha-512": "SHA-512" };

/** The Content-Digest value for `body`: `sha-256=:<base64>:`. */
export async function contentDigest(body: Uint8Array | string): Promise<string> {
  const value = await digest("SHA-256", body);
  return serializeDictionary(new Map([["sha-256", { kind: "item", value, params: new Map() }]]));
}

/**
 * Resolves when `header` holds at least one digest we know and every digest we know matches
 * `body`; rejects with `HttpSigError` when the header is missing, malformed, names only unknown
 * algorithms, or any known digest differs.
 */
export async function verifyContentDigest(
  header: string | undefined,
  body: Uint8Array | string,
): Promise<void> {
  if (header === undefined) throw new HttpSigError("Missing Content-Digest header");
  const digests = parseDictionary(header, { field: "Content-Digest" });
  let checked = 0;
  for (const [name, member] of digests) {
    if (!Object.hasOwn(ALGORITHMS, name)) continue;
    if (member.kind !== "item" || !(member.value instanceof Uint8Array)) {
      throw new HttpSigError(`Content-Digest ${quote(name)} is not a byte sequence`);
    }
    if (!equalBytes(member.value, await digest(ALGORITHMS[name], body))) {
      throw new HttpSigError(`Content-Digest ${quote(name)} does not match the body`);
    }
    checked++;
  }
  if (checked === 0) {
    throw new HttpSigError(
      `Content-Digest has no supported algorithm: got ${
        [...digests.keys()].map((k) => quote(k)).join(", ") || "none"
      }`,
    );
  }
}

async function digest(algorithm: string, body: Uint8Array | string): Promise<Uint8Array> {
  // Bodies are never backed by a SharedArrayBuffer here; the cast spares copying a large body.
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body as Uint8Array<ArrayBuffer>;
  return new Uint8Array(await crypto.subtle.digest(algorithm, bytes));
}

/** A body hash is no secret, so an early exit leaks nothing worth a constant-time loop. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
