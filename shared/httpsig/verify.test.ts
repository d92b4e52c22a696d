import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, publicJwk } from "../pki/mod.ts";
import { requestComponents, type RequestParts, signatureBase } from "./base.ts";
import { contentDigest } from "./digest.ts";
import { ECDSA_P256_SHA256, importPublicJwk, signEcdsaP256Sha256 } from "./ecdsa.ts";
import { HttpSigError } from "./errors.ts";
import { REQUIRED_COMPONENTS } from "./profile.ts";
import { signRequest } from "./sign.ts";
import { type VerifyOptions, verifyRequest } from "./verify.ts";
import { serializeDictionary } from "./structured_fields.ts";

const NOW = 1_760_000_000;

const request: RequestParts = {
  method: "POST",
  authority: "bob.hearth.example",
  path: "/api/v1/friends/requests",
  query: "?from=alice",
  headers: { "content-type": "application/json" },
  body: '{"hello":"bob"}',
};

async function setup() {
  const keys = await generateKeyPair();
  // Through the JWK, as a receiving server gets the sender's key.
  const publicKey = await importPublicJwk(await publicJwk(keys.publicKey));
  const seen = new Map<string, number>();
  const options: VerifyOptions = {
    lookupKey: (keyId) => Promise.resolve(keyId === "alice.hearth.example#1" ? publicKey : undefined),
    rememberNonce(keyId, nonce, expiresAtS) {
      const id = `${keyId} ${nonce}`;
      if (seen.has(id)) return Promise.resolve(false);
      seen.set(id, expiresAtS);
      return Promise.resolve(true);
    },
    now: NOW,
  };
  const key = { keyId: "alice.hearth.example#1", privateKey: keys.privateKey };
  return { key, options, seen };
}

/** The request as the receiver sees it: the sender's headers plus the signature headers. */
async function signed(
  parts: RequestParts,
  key: { keyId: string; privateKey: CryptoKey },
  created = NOW,
): Promise<RequestParts> {
  const added = await signRequest(parts, key, { created });
  return { ...parts, headers: { ...parts.headers, ...added } };
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

describe("signRequest → verifyRequest", () => {
  test("a signed request verifies and names its key", async () => {
    const { key, options, seen } = await setup();
    const incoming = await signed(request, key);
    assert.deepEqual(await verifyRequest(incoming, options), {
      keyId: "alice.hearth.example#1",
      created: NOW,
    });
    // Remembered until the signature would have expired anyway.
    assert.deepEqual([...seen.values()], [NOW + 60 + 1]);
  });

  test("the headers say what they cover, under the hearth label", async () => {
    const { key } = await setup();
    const added = await signRequest(request, key, { created: NOW, nonce: "n-1" });
    assert.equal(added.date, "Thu, 09 Oct 2025 08:53:20 GMT");
    assert.match(added["content-digest"], /^sha-256=:[A-Za-z0-9+/]{43}=:$/);
    assert.equal(
      added["signature-input"],
      'hearth=("@method" "@authority" "@path" "@query" "content-digest" "date");created=1760000000' +
        ';keyid="alice.hearth.example#1";alg="ecdsa-p256-sha256";nonce="n-1";tag="hearth-s2s"',
    );
    assert.match(added.signature, /^hearth=:[A-Za-z0-9+/]{86}==:$/);
  });

  test("an existing Date header is kept and signed", async () => {
    const { key, options } = await setup();
    const parts = { ...request, headers: { ...request.headers, date: "Wed, 08 Oct 2025 08:53:20 GMT" } };
    const added = await signRequest(parts, key, { created: NOW });
    assert.equal(added.date, "Wed, 08 Oct 2025 08:53:20 GMT");
    await verifyRequest({ ...parts, headers: { ...parts.headers, ...added } }, options);
  });

  test("a request without body or query verifies, and the empty body is digested", async () => {
    const { key, options } = await setup();
    const parts: RequestParts = { method: "GET", authority: "bob.hearth.example", path: "/", headers: {} };
    const incoming = await signed(parts, key);
    // SHA-256 of nothing.
    assert.equal(
      incoming.headers["content-digest"],
      "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:",
    );
    await verifyRequest(incoming, options);
    await verifyRequest({ ...incoming, query: "" }, {
      ...options,
      rememberNonce: () => Promise.resolve(true),
    });
    await assert.rejects(
      verifyRequest({ ...incoming, body: "x" }, { ...options, rememberNonce: () => Promise.resolve(true) }),
      /Content-Digest "sha-256" does not match the body/,
    );
  });

  test("uppercase in the authority is signed lowercase", async () => {
    const { key, options } = await setup();
    const incoming = await signed({ ...request, authority: "Bob.Hearth.Example" }, key);
    await verifyRequest({ ...incoming, authority: "bob.hearth.example" }, options);
  });

  test("bytes and strings are the same body", async () => {
    const { key, options } = await setup();
    const incoming = await signed(request, key);
    await verifyRequest({ ...incoming, body: new TextEncoder().encode('{"hello":"bob"}') }, options);
  });
});

describe("verifyRequest refuses", () => {
  const tampered: [string, (r: RequestParts) => RequestParts | Promise<RequestParts>, RegExp][] = [
    ["method", (r) => ({ ...r, method: "PUT" }), /does not verify/],
    ["authority", (r) => ({ ...r, authority: "carol.hearth.example" }), /does not verify/],
    ["path", (r) => ({ ...r, path: "/api/v1/friends/requests/1" }), /does not verify/],
    ["query", (r) => ({ ...r, query: "?from=mallory" }), /does not verify/],
    ["query, removed", (r) => ({ ...r, query: "" }), /does not verify/],
    ["body", (r) => ({ ...r, body: '{"hello":"eve"}' }), /Content-Digest "sha-256" does not match the body/],
    ["body, removed", (r) => ({ ...r, body: undefined }), /does not match the body/],
    [
      "date",
      (r) => ({ ...r, headers: { ...r.headers, date: "Fri, 10 Oct 2025 08:53:20 GMT" } }),
      /does not verify/,
    ],
    [
      "content-digest, recomputed for a new body",
      async (r) => ({
        ...r,
        body: "{}",
        headers: { ...r.headers, "content-digest": await contentDigest("{}") },
      }),
      /does not verify/,
    ],
  ];
  for (const [what, tamper, reason] of tampered) {
    test(`a tampered ${what}`, async () => {
      const { key, options } = await setup();
      const incoming = await signed(request, key);
      await assert.rejects(
        verifyRequest(await tamper(incoming), options),
        (e) => e instanceof HttpSigError && reason.test(e.message),
      );
    });
  }

  test("any flipped signature byte", async () => {
    const { key, options } = await setup();
    const incoming = await signed(request, key);
    const [, b64] = /^hearth=:(.*):$/.exec(incoming.headers.signature)!;
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    for (let i = 0; i < bytes.length; i++) {
      const flipped = bytes.slice();
      flipped[i] ^= 0x01;
      const signature = serializeDictionary(
        new Map([["hearth", { kind: "item", value: flipped, params: new Map() }]]),
      );
      await assert.rejects(
        verifyRequest({ ...incoming, headers: { ...incoming.headers, signature } }, options),
        /does not verify/,
        `byte ${i}`,
      );
    }
  });

  test("the same nonce twice", async () => {
    const { key, options } = await setup();
    const incoming = await signed(request, key);
    await verifyRequest(incoming, options);
    await assert.rejects(
      verifyRequest(incoming, options),
      /nonce "[^"]+" of key "alice.hearth.example#1" was already used/,
    );
  });

  test("a forged request without using up its nonce", async () => {
    const { key, options } = await setup();
    const incoming = await signed(request, key);
    await assert.rejects(verifyRequest({ ...incoming, method: "DELETE" }, options), /does not verify/);
    await verifyRequest(incoming, options);
  });

  test("an expired or future created, and accepts the edges", async () => {
    const { key, options } = await setup();
    const unique = { ...options, rememberNonce: () => Promise.resolve(true) };
    await assert.rejects(
      verifyRequest(await signed(request, key, NOW - 61), unique),
      /expired: created \d+ is 61 s/,
    );
    await verifyRequest(await signed(request, key, NOW - 60), unique);
    await assert.rejects(verifyRequest(await signed(request, key, NOW + 6), unique), /from the future/);
    await verifyRequest(await signed(request, key, NOW + 5), unique);
    await assert.rejects(
      verifyRequest(await signed(request, key, NOW - 11), { ...unique, maxAgeS: 10 }),
      /expired/,
    );
  });

  test("a signature by another key under the same keyid", async () => {
    const { options } = await setup();
    const other = { keyId: "alice.hearth.example#1", privateKey: (await generateKeyPair()).privateKey };
    await assert.rejects(verifyRequest(await signed(request, other), options), /does not verify with key/);
  });

  test("an unknown keyid", async () => {
    const { key, options } = await setup();
    const incoming = await signed(request, { ...key, keyId: "mallory.example#1" });
    await assert.rejects(verifyRequest(incoming, options), /key "mallory.example#1" is unknown/);
  });

  test("missing signature headers", async () => {
    const { key, options } = await setup();
    const incoming = await signed(request, key);
    const noSignature = without(incoming.headers, "signature");
    const noInput = without(incoming.headers, "signature-input");
    await assert.rejects(
      verifyRequest({ ...incoming, headers: noSignature }, options),
      /Missing Signature-Input or/,
    );
    await assert.rejects(
      verifyRequest({ ...incoming, headers: noInput }, options),
      /Missing Signature-Input or/,
    );
    await assert.rejects(verifyRequest(request, options), /Missing/);
  });

  test("another label, or a label missing from one of the two fields", async () => {
    const { key, options } = await setup();
    const added = await signRequest(request, key, { created: NOW, label: "other" });
    const incoming = { ...request, headers: { ...request.headers, ...added } };
    await assert.rejects(
      verifyRequest(incoming, options),
      /Signature-Input has no signature labelled "hearth": got "other"/,
    );
    await verifyRequest(incoming, { ...options, label: "other" });
    const mixed = {
      ...incoming,
      headers: { ...incoming.headers, signature: added.signature.replace(/^other/, "hearth") },
    };
    await assert.rejects(
      verifyRequest(mixed, { ...options, label: "other" }),
      /Signature has no signature labelled "other"/,
    );
  });

  test("another tag", async () => {
    const { key, options } = await setup();
    const added = await signRequest(request, key, { created: NOW, tag: "hearth-other" });
    const incoming = { ...request, headers: { ...request.headers, ...added } };
    await assert.rejects(verifyRequest(incoming, options), /tag is "hearth-other", expected "hearth-s2s"/);
    await verifyRequest(incoming, { ...options, tag: "hearth-other" });
  });

  /** Signs a hand-built Signature-Input, to reach the checks signRequest never fails. */
  async function signedWith(
    components: string[],
    params: string,
    key: { keyId: string; privateKey: CryptoKey },
  ) {
    const incoming = await signed(request, key);
    const list = `(${components.map((c) => `"${c}"`).join(" ")})${params}`;
    const base = signatureBase(components, list, requestComponents(incoming));
    const signature = await signEcdsaP256Sha256(key.privateKey, base);
    const headers = {
      ...incoming.headers,
      "signature-input": `hearth=${list}`,
      signature: serializeDictionary(
        new Map([["hearth", { kind: "item", value: signature, params: new Map() }]]),
      ),
    };
    return { ...incoming, headers };
  }

  /** Signature-Input parameters as written on the wire; `p` overrides them, and "" leaves one out. */
  const params = (p: Record<string, string>) =>
    Object.entries({
      created: `${NOW}`,
      keyid: '"alice.hearth.example#1"',
      alg: `"${ECDSA_P256_SHA256}"`,
      nonce: '"n"',
      tag: '"hearth-s2s"',
      ...p,
    })
      .filter(([, v]) => v !== "")
      .map(([k, v]) => `;${k}=${v}`)
      .join("");

  test("a correctly signed request that leaves out a required component", async () => {
    const { key, options } = await setup();
    for (const left of REQUIRED_COMPONENTS) {
      const incoming = await signedWith(REQUIRED_COMPONENTS.filter((c) => c !== left), params({}), key);
      await assert.rejects(verifyRequest(incoming, options), new RegExp(`does not cover "${left}"`));
    }
  });

  test("the hand-built control case verifies, with extra components in another order", async () => {
    const { key, options } = await setup();
    const components = ["content-type", ...REQUIRED_COMPONENTS].reverse();
    await verifyRequest(await signedWith(components, params({}), key), options);
  });

  test("a correctly signed request with another, or no, alg", async () => {
    const { key, options } = await setup();
    const all = [...REQUIRED_COMPONENTS];
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ alg: '"ed25519"' }), key), options),
      /alg is "ed25519"/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ alg: "" }), key), options),
      /alg is missing/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ alg: "ecdsa" }), key), options),
      /alg is not a string/,
    );
  });

  test("a correctly signed request without nonce, created or keyid", async () => {
    const { key, options } = await setup();
    const all = [...REQUIRED_COMPONENTS];
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ nonce: "" }), key), options),
      /nonce is missing/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ nonce: '""' }), key), options),
      /nonce is ""/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ nonce: `"${"n".repeat(129)}"` }), key), options),
      /1 to 128 characters/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ created: "" }), key), options),
      /created is missing/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ created: '"1"' }), key), options),
      /created is "1"/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ keyid: "" }), key), options),
      /keyid is missing/,
    );
  });

  test("a correctly signed request past its expires", async () => {
    const { key, options } = await setup();
    const all = [...REQUIRED_COMPONENTS];
    const unique = { ...options, rememberNonce: () => Promise.resolve(true) };
    await verifyRequest(await signedWith(all, params({ expires: `${NOW}` }), key), unique);
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ expires: `${NOW - 1}` }), key), unique),
      /expires/,
    );
    await assert.rejects(
      verifyRequest(await signedWith(all, params({ expires: "?1" }), key), unique),
      /expires is true/,
    );
  });

  test("components it cannot derive, and a header the request lacks", async () => {
    const { key, options } = await setup();
    const withStatus = await signedWith([...REQUIRED_COMPONENTS], params({}), key);
    const input = withStatus.headers["signature-input"].replace('"date"', '"date" "@status"');
    await assert.rejects(
      verifyRequest({ ...withStatus, headers: { ...withStatus.headers, "signature-input": input } }, options),
      /Cannot derive "@status": not supported/,
    );
    const headers = without(withStatus.headers, "content-type");
    const covered = await signedWith(["content-type", ...REQUIRED_COMPONENTS], params({}), key);
    await assert.rejects(
      verifyRequest({
        ...covered,
        headers: { ...headers, "signature-input": covered.headers["signature-input"] },
      }, options),
      /Cannot cover "content-type": the request has no such header/,
    );
    const proto = covered.headers["signature-input"].replace('"content-type"', '"constructor"');
    await assert.rejects(
      verifyRequest({ ...covered, headers: { ...covered.headers, "signature-input": proto } }, options),
      /"constructor": the request has no such header/,
    );
  });

  test("duplicate components and component parameters", async () => {
    const { key, options } = await setup();
    const incoming = await signedWith([...REQUIRED_COMPONENTS], params({}), key);
    const twice = incoming.headers["signature-input"].replace('"date"', '"date" "date"');
    await assert.rejects(
      verifyRequest({ ...incoming, headers: { ...incoming.headers, "signature-input": twice } }, options),
      /Cannot cover "date" twice/,
    );
    const sf = incoming.headers["signature-input"].replace('"date"', '"date";sf');
    await assert.rejects(
      verifyRequest({ ...incoming, headers: { ...incoming.headers, "signature-input": sf } }, options),
      /component parameters are not supported/,
    );
  });

  test("a key that is not ECDSA P-256, as a configuration error", async () => {
    const { key, options } = await setup();
    const hmac = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    const incoming = await signed(request, key);
    await assert.rejects(
      verifyRequest(incoming, { ...options, lookupKey: () => Promise.resolve(hmac) }),
      /expected a public ECDSA P-256 key, got a secret HMAC key/,
    );
  });
});

describe("signRequest refuses", () => {
  test("values that cannot be signed", async () => {
    const { key } = await setup();
    await assert.rejects(signRequest(request, key, { created: 1.5 }), /created is 1.5/);
    await assert.rejects(signRequest(request, key, { created: -1 }), /created is -1/);
    await assert.rejects(signRequest(request, key, { label: "Hearth" }), /Cannot serialize key "Hearth"/);
    await assert.rejects(signRequest(request, { ...key, keyId: "ключ" }), /Cannot serialize string/);
    await assert.rejects(
      signRequest({ ...request, path: "api" }, key),
      /"@path": "api" does not start with "\/"/,
    );
    await assert.rejects(
      signRequest({ ...request, query: "a=b" }, key),
      /"@query": "a=b" does not start with "\?"/,
    );
    await assert.rejects(
      signRequest({ ...request, headers: { date: "Thu\r\nx-evil: 1" } }, key),
      /"date": its value has a line break/,
    );
    const verifyOnly = (await generateKeyPair()).publicKey;
    await assert.rejects(
      signRequest(request, { keyId: "k", privateKey: verifyOnly }),
      /expected a private ECDSA/,
    );
  });
});

describe("importPublicJwk", () => {
  test("reads only the public coordinates and refuses other key types", async () => {
    const keys = await generateKeyPair();
    const jwk = await crypto.subtle.exportKey("jwk", keys.privateKey);
    const key = await importPublicJwk(jwk);
    assert.equal(key.type, "public");
    assert.deepEqual(key.usages, ["verify"]);
    await assert.rejects(
      importPublicJwk({ kty: "OKP", crv: "Ed25519", x: "AA" }),
      /expected an EC P-256 JWK/,
    );
    await assert.rejects(importPublicJwk({ ...jwk, crv: "P-384" }), /expected an EC P-256 JWK/);
    await assert.rejects(
      importPublicJwk({ kty: "EC", crv: "P-256", x: "AA", y: "AA" }),
      /must be 32 bytes each/,
    );
    // Well-formed but off the curve: Deno would accept it until its first use.
    await assert.rejects(
      importPublicJwk({ kty: "EC", crv: "P-256", x: "A".repeat(43), y: "B".repeat(43) }),
      (e) => e instanceof HttpSigError && /Cannot import public key/.test(e.message),
    );
  });
});
