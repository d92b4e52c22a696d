/**
 * Published examples of RFC 9421 that use ecdsa-p256-sha256 with its test key. ECDSA signatures
 * are randomized, so these verify the RFC's signatures (and rebuild its signature bases
 * character for character) rather than reproduce them.
 *
 * Values are copied from the RFC's Appendix B (B.1.3 key, B.2 test-response, B.2.4, B.3), taken
 * from the httpwg/http-extensions source of draft-ietf-httpbis-message-signatures at commit
 * 0dbd770b, with the RFC 8792 "\" line wrapping undone. B.2.4 signs a *response*, so it goes
 * through `verifyMessageSignature`; B.3 (a TLS-terminating proxy) is the RFC's one ECDSA-signed
 * *request*.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ComponentValue, requestComponents, type RequestParts, signatureBase } from "./base.ts";
import { verifyContentDigest } from "./digest.ts";
import { importPublicJwk } from "./ecdsa.ts";
import { HttpSigError } from "./errors.ts";
import { readSignatureFields } from "./signature_fields.ts";
import { verifyMessageSignature, verifyRequest } from "./verify.ts";

/** B.1.3 "Example ECC P-256 Test Key", public half. */
const TEST_KEY_ECC_P256: JsonWebKey = {
  kty: "EC",
  crv: "P-256",
  x: "qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA",
  y: "Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0",
};
const CREATED = 1618884473;

async function lookupKey(keyId: string): Promise<CryptoKey | undefined> {
  return keyId === "test-key-ecc-p256" ? await importPublicJwk(TEST_KEY_ECC_P256) : undefined;
}

describe("RFC 9421 B.2.4: signing a response using ecdsa-p256-sha256", () => {
  // B.2 test-response: HTTP/1.1 200 OK, and these fields.
  const response = {
    status: "200",
    headers: {
      date: "Tue, 20 Apr 2021 02:07:56 GMT",
      "content-type": "application/json",
      "content-digest":
        "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:",
      "content-length": "23",
    } as Record<string, string>,
    body: '{"message": "good dog"}',
  };
  const signatureInput =
    'sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"';
  const signature =
    "sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:";
  const publishedBase = [
    '"@status": 200',
    '"content-type": application/json',
    '"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
    '"content-length": 23',
    '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473' +
    ';keyid="test-key-ecc-p256"',
  ].join("\n");
  const required = ["@status", "content-type", "content-digest", "content-length"];

  /** Response components: `@status` (RFC 9421 §2.2.9) and the fields; the test's own, tiny resolver. */
  function responseComponents(r: typeof response): ComponentValue {
    return (component) => {
      if (component === "@status") return r.status;
      if (!Object.hasOwn(r.headers, component)) throw new HttpSigError(`No ${component}`);
      return r.headers[component];
    };
  }

  test("the signature base is rebuilt exactly as published", () => {
    const fields = readSignatureFields(signatureInput, signature, "sig-b24");
    assert.deepEqual(fields.components, required);
    assert.equal(
      signatureBase(fields.components, fields.signatureParams, responseComponents(response)),
      publishedBase,
    );
  });

  test("the published signature verifies with the published key", async () => {
    const fields = readSignatureFields(signatureInput, signature, "sig-b24");
    assert.deepEqual(
      await verifyMessageSignature(fields, responseComponents(response), {
        lookupKey,
        requiredComponents: required,
        now: CREATED,
      }),
      { keyId: "test-key-ecc-p256", created: CREATED },
    );
    // The response's Content-Digest matches its content, so the signature covers the body too.
    await verifyContentDigest(response.headers["content-digest"], response.body);
  });

  test("and fails for a changed field, a late clock, or an unlisted required component", async () => {
    const fields = readSignatureFields(signatureInput, signature, "sig-b24");
    const changed = { ...response, headers: { ...response.headers, "content-length": "24" } };
    const options = { lookupKey, requiredComponents: required, now: CREATED };
    await assert.rejects(
      verifyMessageSignature(fields, responseComponents(changed), options),
      /does not verify with key "test-key-ecc-p256"/,
    );
    await assert.rejects(
      verifyMessageSignature(fields, responseComponents(response), { ...options, now: CREATED + 61 }),
      /expired/,
    );
    await assert.rejects(
      verifyMessageSignature(fields, responseComponents(response), {
        ...options,
        requiredComponents: [...required, "date"],
      }),
      /does not cover "date"/,
    );
  });
});

describe("RFC 9421 B.3: a TLS-terminating proxy signs a request with ecdsa-p256-sha256", () => {
  // The Client-Cert value, one RFC 8792 line per string.
  const clientCert = [
    ":MIIBqDCCAU6gAwIBAgIBBzAKBggqhkjOPQQDAjA6MRswGQYDVQQKD",
    "BJMZXQncyBBdXRoZW50aWNhdGUxGzAZBgNVBAMMEkxBIEludGVybWVkaWF0ZSBDQT",
    "AeFw0yMDAxMTQyMjU1MzNaFw0yMTAxMjMyMjU1MzNaMA0xCzAJBgNVBAMMAkJDMFk",
    "wEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YnXXfaUgmnMtOXU/IncWalRhebrXmck",
    "C8vdgJ1p5Be5F/3YC8OthxM4+k1M6aEAEFcGzkJiNy6J84y7uzo9M6NyMHAwCQYDV",
    "R0TBAIwADAfBgNVHSMEGDAWgBRm3WjLa38lbEYCuiCPct0ZaSED2DAOBgNVHQ8BAf",
    "8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0RAQH/BBMwEYEPYmRjQGV",
    "4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBHda/r1vaL6G3VliL4/Di6YK0Q6",
    "bMjeSkC3dFCOOB8TAiEAx/kHSB4urmiZ0NX5r5XarmPk0wmuydBVoU4hBVZ1yhk=:",
  ].join("");
  const request: RequestParts = {
    method: "POST",
    authority: "service.internal.example",
    path: "/foo",
    query: "?param=Value&Pet=dog",
    headers: {
      date: "Tue, 20 Apr 2021 02:07:55 GMT",
      "content-type": "application/json",
      "content-length": "18",
      "client-cert": clientCert,
      "signature-input":
        'ttrp=("@path" "@query" "@method" "@authority" "client-cert");created=1618884473;keyid="test-key-ecc-p256"',
      signature:
        "ttrp=:xVMHVpawaAC/0SbHrKRs9i8I3eOs5RtTMGCWXm/9nvZzoHsIg6Mce9315T6xoklyy0yzhD9ah4JHRwMLOgmizw==:",
    },
    body: '{"hello": "world"}',
  };
  const publishedBase = [
    '"@path": /foo',
    '"@query": ?param=Value&Pet=dog',
    '"@method": POST',
    '"@authority": service.internal.example',
    `"client-cert": ${clientCert}`,
    '"@signature-params": ("@path" "@query" "@method" "@authority" "client-cert");created=1618884473' +
    ';keyid="test-key-ecc-p256"',
  ].join("\n");
  const required = ["@path", "@query", "@method", "@authority", "client-cert"];
  const fields = () =>
    readSignatureFields(request.headers["signature-input"], request.headers.signature, "ttrp");

  test("the signature base, derived from the request parts, is exactly as published", () => {
    const { components, signatureParams } = fields();
    assert.equal(signatureBase(components, signatureParams, requestComponents(request)), publishedBase);
  });

  test("the published signature verifies with the published key", async () => {
    const verified = await verifyMessageSignature(fields(), requestComponents(request), {
      lookupKey,
      requiredComponents: required,
      now: CREATED,
    });
    assert.equal(verified.keyId, "test-key-ecc-p256");
    await assert.rejects(
      verifyMessageSignature(fields(), requestComponents({ ...request, authority: "example.com" }), {
        lookupKey,
        requiredComponents: required,
        now: CREATED,
      }),
      /does not verify/,
    );
  });

  test("verifyRequest still refuses it: Hearth's profile wants alg, nonce and tag", async () => {
    await assert.rejects(
      verifyRequest(request, {
        lookupKey,
        rememberNonce: () => Promise.resolve(true),
        label: "ttrp",
        requiredComponents: required,
        now: CREATED,
      }),
      /alg is missing, expected "ecdsa-p256-sha256"/,
    );
  });
});
