/**
 * HTTP Message Signatures (RFC 9421) with `ecdsa-p256-sha256` and Content-Digest (RFC 9530), for
 * requests one Hearth server sends another: `signRequest` on the way out, `verifyRequest` on the
 * way in. Runtime-free: Web Crypto and strings only.
 */

export { HttpSigError } from "./errors.ts";
export { type SignatureHeaders, type SigningKey, type SignOptions, signRequest } from "./sign.ts";
export {
  type MessageVerifyOptions,
  type VerifiedSignature,
  verifyMessageSignature,
  type VerifyOptions,
  verifyRequest,
} from "./verify.ts";
export { ECDSA_P256_SHA256, importPublicJwk, signEcdsaP256Sha256, verifyEcdsaP256Sha256 } from "./ecdsa.ts";
export { contentDigest, verifyContentDigest } from "./digest.ts";
export { type ComponentValue, requestComponents, type RequestParts, signatureBase } from "./base.ts";
export { readSignatureFields, type SignatureFields } from "./signature_fields.ts";
export {
  DEFAULT_MAX_AGE_S,
  HEARTH_LABEL,
  HEARTH_TAG,
  MAX_CLOCK_SKEW_S,
  MAX_NONCE_LENGTH,
  REQUIRED_COMPONENTS,
} from "./profile.ts";
export {
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  MAX_FIELD_LENGTH,
  MAX_INNER_LIST_ITEMS,
  MAX_MEMBERS,
  type Parameters,
  parseDictionary,
  type ParseOptions,
  serializeDictionary,
  serializeInnerList,
  Token,
} from "./structured_fields.ts";
