/**
 * Reading one signature out of the Signature-Input and Signature fields (RFC 9421 §4): both are
 * Dictionaries keyed by label, and a message may carry several signatures, of which a verifier
 * picks the one under the label it expects.
 */
import { HttpSigError, quote } from "./errors.ts";
import { type Parameters, parseDictionary, serializeInnerList } from "./structured_fields.ts";

/** One signature as sent: what it covers, its parameters, and its bytes. */
export interface SignatureFields {
  /** Covered component names, in the signed order. */
  components: string[];
  /** `created`, `keyid`, `alg`, `nonce`, `tag`, … as sent, in order. */
  params: Parameters;
  /** The inner list re-serialized, for the `@signature-params` line of the base (RFC 9421 §2.3). */
  signatureParams: string;
  signature: Uint8Array;
}

/** Picks the signature labelled `label`; throws `HttpSigError` when it is absent or malformed. */
export function readSignatureFields(
  signatureInput: string,
  signature: string,
  label: string,
): SignatureFields {
  const inputs = parseDictionary(signatureInput, { field: "Signature-Input" });
  const signatures = parseDictionary(signature, { field: "Signature" });
  const input = inputs.get(label);
  if (input === undefined) {
    throw new HttpSigError(
      `Signature-Input has no signature labelled ${quote(label)}: got ${labels(inputs)}`,
    );
  }
  const value = signatures.get(label);
  if (value === undefined) {
    throw new HttpSigError(`Signature has no signature labelled ${quote(label)}: got ${labels(signatures)}`);
  }
  if (input.kind !== "inner-list") {
    throw new HttpSigError(`Signature-Input ${quote(label)} is not an inner list of components`);
  }
  const components: string[] = [];
  for (const item of input.items) {
    if (typeof item.value !== "string") {
      throw new HttpSigError(`Signature-Input ${quote(label)} names a component with a non-string`);
    }
    // Component parameters (sf, key, bs, req, tr, name) select parts of a value; Hearth uses none.
    if (item.params.size > 0) {
      throw new HttpSigError(`Signature-Input ${quote(label)}: component parameters are not supported`);
    }
    components.push(item.value);
  }
  if (value.kind !== "item" || !(value.value instanceof Uint8Array)) {
    throw new HttpSigError(`Signature ${quote(label)} is not a byte sequence`);
  }
  return {
    components,
    params: input.params,
    signatureParams: serializeInnerList(input),
    signature: value.value,
  };
}

function labels(dict: Map<string, unknown>): string {
  return [...dict.keys()].map((key) => quote(key)).join(", ") || "none";
}
