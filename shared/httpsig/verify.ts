/**
 * Verifying signatures: `verifyMessageSignature` is RFC 9421 §3.2 for any message the caller can
 * derive component values from; `verifyRequest` adds Hearth's profile on top (alg, nonce, tag,
 * Content-Digest against the body, replay) and is what servers call.
 */
import { type ComponentValue, requestComponents, type RequestParts, signatureBase } from "./base.ts";
import { verifyContentDigest } from "./digest.ts";
import { ECDSA_P256_SHA256, verifyEcdsaP256Sha256 } from "./ecdsa.ts";
import { HttpSigError, quote } from "./errors.ts";
import {
  DEFAULT_MAX_AGE_S,
  HEARTH_LABEL,
  HEARTH_TAG,
  MAX_CLOCK_SKEW_S,
  MAX_NONCE_LENGTH,
  REQUIRED_COMPONENTS,
} from "./profile.ts";
import { readSignatureFields, type SignatureFields } from "./signature_fields.ts";

export interface MessageVerifyOptions {
  /** The public key for a `keyid`, or undefined when the key is unknown. Its errors propagate. */
  lookupKey(keyId: string): Promise<CryptoKey | undefined>;
  /** Components the signature must cover, in any order (default: Hearth's six). */
  requiredComponents?: readonly string[];
  /** The current time in Unix seconds (default: the clock). */
  now?: number;
  /** Oldest accepted `created`, as seconds before `now` (default 60). */
  maxAgeS?: number;
}

export interface VerifiedSignature {
  keyId: string;
  /** The signature's `created`, Unix seconds. */
  created: number;
}

/**
 * Verifies one signature already read from its fields: it covers every required component, has a
 * `keyid` and a `created` within [now - maxAgeS, now + 5 s] (and before any `expires`), names no
 * `alg` other than ecdsa-p256-sha256, and verifies over the base rebuilt from `valueOf` with the
 * key `lookupKey` returns. Throws `HttpSigError` otherwise. Does not require a nonce or a tag, and
 * remembers nothing: see `verifyRequest` for that.
 */
export async function verifyMessageSignature(
  fields: SignatureFields,
  valueOf: ComponentValue,
  { lookupKey, requiredComponents = REQUIRED_COMPONENTS, now = nowS(), maxAgeS = DEFAULT_MAX_AGE_S }:
    MessageVerifyOptions,
): Promise<VerifiedSignature> {
  const missing = requiredComponents.filter((component) => !fields.components.includes(component));
  if (missing.length > 0) {
    throw new HttpSigError(`Signature does not cover ${missing.map((c) => quote(c)).join(", ")}`);
  }
  const alg = fields.params.get("alg");
  if (alg !== undefined && alg !== ECDSA_P256_SHA256) {
    throw new HttpSigError(`Signature alg is ${describe(alg)}, expected "${ECDSA_P256_SHA256}"`);
  }
  const keyId = fields.params.get("keyid");
  if (typeof keyId !== "string" || keyId === "") {
    throw new HttpSigError(`Signature keyid is ${describe(keyId)}, expected a string`);
  }
  const created = fields.params.get("created");
  if (typeof created !== "number") {
    throw new HttpSigError(`Signature created is ${describe(created)}, expected an integer`);
  }
  if (now - created > maxAgeS) {
    throw new HttpSigError(
      `Signature expired: created ${created} is ${now - created} s before now, at most ${maxAgeS}`,
    );
  }
  if (created - now > MAX_CLOCK_SKEW_S) {
    throw new HttpSigError(
      `Signature is from the future: created ${created} is ${created - now} s after now`,
    );
  }
  const expires = fields.params.get("expires");
  if (expires !== undefined) {
    if (typeof expires !== "number") {
      throw new HttpSigError(`Signature expires is ${describe(expires)}, expected an integer`);
    }
    if (now > expires) throw new HttpSigError(`Signature expired: expires ${expires} is before now ${now}`);
  }
  const key = await lookupKey(keyId);
  if (key === undefined) throw new HttpSigError(`Signature key ${quote(keyId)} is unknown`);
  const base = signatureBase(fields.components, fields.signatureParams, valueOf);
  if (!(await verifyEcdsaP256Sha256(key, fields.signature, base))) {
    throw new HttpSigError(`Signature does not verify with key ${quote(keyId)}`);
  }
  return { keyId, created };
}

export interface VerifyOptions extends MessageVerifyOptions {
  /**
   * Remembers a nonce of `keyId` until `expiresAtS` (Unix seconds); false when it was already
   * remembered, which refuses the request as a replay. Called only once everything else verified,
   * so forged requests cannot use up nonces. Its errors propagate.
   */
  rememberNonce(keyId: string, nonce: string, expiresAtS: number): Promise<boolean>;
  /** The signature label to verify (default "hearth"); other signatures are ignored. */
  label?: string;
  /** The `tag` the signature must carry (default "hearth-s2s"). */
  tag?: string;
}

/**
 * Verifies a Hearth server-to-server request and returns the signing key's id. Beyond
 * `verifyMessageSignature`: the signature must name `alg="ecdsa-p256-sha256"`, carry a nonce and
 * the expected tag; a covered Content-Digest must match `parts.body`; and the nonce must be new.
 * Throws `HttpSigError` with the reason otherwise.
 */
export async function verifyRequest(parts: RequestParts, options: VerifyOptions): Promise<VerifiedSignature> {
  const { rememberNonce, label = HEARTH_LABEL, tag = HEARTH_TAG, maxAgeS = DEFAULT_MAX_AGE_S } = options;
  const signatureInput = header(parts, "signature-input");
  const signature = header(parts, "signature");
  if (signatureInput === undefined || signature === undefined) {
    throw new HttpSigError("Missing Signature-Input or Signature header");
  }
  const fields = readSignatureFields(signatureInput, signature, label);
  // alg is optional in RFC 9421; Hearth requires it so that a signature always says what it is.
  const alg = fields.params.get("alg");
  if (alg !== ECDSA_P256_SHA256) {
    throw new HttpSigError(`Signature alg is ${describe(alg)}, expected "${ECDSA_P256_SHA256}"`);
  }
  const nonce = fields.params.get("nonce");
  if (typeof nonce !== "string" || nonce === "" || nonce.length > MAX_NONCE_LENGTH) {
    throw new HttpSigError(
      `Signature nonce is ${describe(nonce)}, expected a string of 1 to ${MAX_NONCE_LENGTH} characters`,
    );
  }
  const signedTag = fields.params.get("tag");
  if (signedTag !== tag) {
    throw new HttpSigError(`Signature tag is ${describe(signedTag)}, expected ${quote(tag)}`);
  }

  const { keyId, created } = await verifyMessageSignature(fields, requestComponents(parts), {
    ...options,
    maxAgeS,
  });
  if (fields.components.includes("content-digest")) {
    await verifyContentDigest(header(parts, "content-digest"), parts.body ?? "");
  }
  // Past created + maxAgeS the signature is refused as expired, so the nonce need not outlive that.
  if (!(await rememberNonce(keyId, nonce, created + maxAgeS + 1))) {
    throw new HttpSigError(`Signature nonce ${quote(nonce)} of key ${quote(keyId)} was already used`);
  }
  return { keyId, created };
}

function header(parts: RequestParts, name: string): string | undefined {
  return Object.hasOwn(parts.headers, name) ? parts.headers[name] : undefined;
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

/** A parameter value for an error message: absent, quoted, or as written. */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "not a string or integer";
}
