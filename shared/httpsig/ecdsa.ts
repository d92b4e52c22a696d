/**
 * The one signature algorithm Hearth speaks: `ecdsa-p256-sha256` (RFC 9421 §3.3.4), ECDSA over
 * P-256 with SHA-256 whose signature is the raw 64-byte r || s — exactly what Web Crypto's ECDSA
 * produces and expects, so no DER conversion is needed.
 */
import { HttpSigError } from "./errors.ts";

/** The `alg` parameter value (RFC 9421 §6.2.2). */
export const ECDSA_P256_SHA256 = "ecdsa-p256-sha256";

const ALGORITHM: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
/** r and s, 32 bytes each. */
const SIGNATURE_LENGTH = 64;
/** A P-256 coordinate: 32 bytes, base64url without padding. */
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Imports a peer's public JWK for verifying; only kty, crv, x and y are read, so a private `d` is
 * ignored. Throws `HttpSigError` for anything but a point on P-256.
 */
export async function importPublicJwk(jwk: JsonWebKey): Promise<CryptoKey> {
  const { kty, crv, x, y } = jwk;
  if (kty !== "EC" || crv !== "P-256" || typeof x !== "string" || typeof y !== "string") {
    throw new HttpSigError(`Cannot import public key: expected an EC P-256 JWK, got kty ${kty} crv ${crv}`);
  }
  if (!COORDINATE.test(x) || !COORDINATE.test(y)) {
    throw new HttpSigError("Cannot import public key: x and y must be 32 bytes each, base64url");
  }
  try {
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty, crv, x, y },
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      [
        "verify",
      ],
    );
    // Deno checks the point only when the key is first used: use it once here, so that a point
    // off the curve fails now, at import, and not as a TypeError on some peer's request.
    await crypto.subtle.verify(ALGORITHM, key, new Uint8Array(SIGNATURE_LENGTH), new Uint8Array(0));
    return key;
  } catch (cause) {
    throw new HttpSigError(`Cannot import public key: ${(cause as Error).message}`, { cause });
  }
}

export async function signEcdsaP256Sha256(privateKey: CryptoKey, data: string): Promise<Uint8Array> {
  assertKey(privateKey, "private");
  return new Uint8Array(await crypto.subtle.sign(ALGORITHM, privateKey, new TextEncoder().encode(data)));
}

/** False for a signature that does not verify, including one of the wrong length. */
export async function verifyEcdsaP256Sha256(
  publicKey: CryptoKey,
  signature: Uint8Array,
  data: string,
): Promise<boolean> {
  assertKey(publicKey, "public");
  if (signature.length !== SIGNATURE_LENGTH) return false;
  try {
    return await crypto.subtle.verify(
      ALGORITHM,
      publicKey,
      new Uint8Array(signature),
      new TextEncoder().encode(data),
    );
  } catch (cause) {
    // Only a broken key gets here (one not imported with importPublicJwk); still never a TypeError.
    throw new HttpSigError(`Cannot verify with key: ${(cause as Error).message}`, { cause });
  }
}

/** A key of another algorithm or curve is a configuration error, not a bad signature. */
function assertKey(key: CryptoKey, type: KeyType): void {
  const algorithm: Partial<EcKeyAlgorithm> = key.algorithm;
  if (key.type !== type || algorithm.name !== "ECDSA" || algorithm.namedCurve !== "P-256") {
    const curve = algorithm.namedCurve ? ` ${algorithm.namedCurve}` : "";
    throw new HttpSigError(
      `Cannot use key for ${ECDSA_P256_SHA256}: expected a ${type} ECDSA P-256 key, got a ${key.type} ${algorithm.name}${curve} key`,
    );
  }
}
