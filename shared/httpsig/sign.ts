/** Signing a server-to-server request under Hearth's profile of RFC 9421. */
import { randomToken } from "../crypto/mod.ts";
import { requestComponents, type RequestParts, signatureBase } from "./base.ts";
import { contentDigest } from "./digest.ts";
import { ECDSA_P256_SHA256, signEcdsaP256Sha256 } from "./ecdsa.ts";
import { HttpSigError } from "./errors.ts";
import { HEARTH_LABEL, HEARTH_TAG, REQUIRED_COMPONENTS } from "./profile.ts";
import { type InnerList, serializeDictionary, serializeInnerList } from "./structured_fields.ts";

/** The sending server's key: its id as peers know it, and the private half of its ECDSA P-256 pair. */
export interface SigningKey {
  keyId: string;
  privateKey: CryptoKey;
}

export interface SignOptions {
  /** Signing time in Unix seconds (default: now). */
  created?: number;
  /** Single-use value the verifier remembers (default: 16 random bytes, base64url). */
  nonce?: string;
  /** Dictionary key of the signature (default "hearth"). */
  label?: string;
  /** Application tag (default "hearth-s2s"). */
  tag?: string;
}

/** Headers to set on the request, replacing any of the same name. */
export interface SignatureHeaders {
  "content-digest": string;
  date: string;
  "signature-input": string;
  signature: string;
}

/**
 * Signs `parts` with `key`, covering `@method @authority @path @query content-digest date`.
 * Content-Digest is always computed from `body` (empty when absent); Date is the request's own
 * when it has one, else `created` as an IMF-fixdate. Send the body exactly as passed here.
 */
export async function signRequest(
  parts: RequestParts,
  key: SigningKey,
  {
    created = Math.floor(Date.now() / 1000),
    nonce = randomToken(16),
    label = HEARTH_LABEL,
    tag = HEARTH_TAG,
  }: SignOptions = {},
): Promise<SignatureHeaders> {
  const createdAt = new Date(created * 1000);
  if (!Number.isInteger(created) || created < 0 || Number.isNaN(createdAt.getTime())) {
    throw new HttpSigError(`Cannot sign request: created is ${created}, expected Unix seconds`);
  }
  // toUTCString is the IMF-fixdate form HTTP wants, e.g. "Tue, 20 Apr 2021 02:07:55 GMT".
  const date = Object.hasOwn(parts.headers, "date") ? parts.headers.date : createdAt.toUTCString();
  const digest = await contentDigest(parts.body ?? "");
  const signed = { ...parts, headers: { ...parts.headers, date, "content-digest": digest } };
  const input: InnerList = {
    kind: "inner-list",
    items: REQUIRED_COMPONENTS.map((component) => ({ kind: "item", value: component, params: new Map() })),
    params: new Map<string, string | number>([
      ["created", created],
      ["keyid", key.keyId],
      ["alg", ECDSA_P256_SHA256],
      ["nonce", nonce],
      ["tag", tag],
    ]),
  };
  const base = signatureBase(REQUIRED_COMPONENTS, serializeInnerList(input), requestComponents(signed));
  const signature = await signEcdsaP256Sha256(key.privateKey, base);
  return {
    "content-digest": digest,
    date,
    "signature-input": serializeDictionary(new Map([[label, input]])),
    signature: serializeDictionary(new Map([[label, { kind: "item", value: signature, params: new Map() }]])),
  };
}
