import { test } from "node:test";
import assert from "node:assert/strict";
import { contentDigest, verifyContentDigest } from "./digest.ts";
import { HttpSigError } from "./errors.ts";

// RFC 9421 Appendix B.2 test-request: its body and the Content-Digest the RFC gives for it.
const BODY = '{"hello": "world"}';
const RFC_SHA512 =
  "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
// SHA-256 of the same body, as RFC 9530's examples give it (and Node's createHash agrees).
const SHA256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";

test("contentDigest is sha-256 as a structured field, for strings, bytes and nothing", async () => {
  assert.equal(await contentDigest(BODY), SHA256);
  assert.equal(await contentDigest(new TextEncoder().encode(BODY)), SHA256);
  assert.equal(await contentDigest(""), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
});

test("verifyContentDigest accepts every known algorithm that matches, ignoring unknown ones", async () => {
  await verifyContentDigest(SHA256, BODY);
  await verifyContentDigest(RFC_SHA512, BODY);
  await verifyContentDigest(`${SHA256}, ${RFC_SHA512}`, new TextEncoder().encode(BODY));
  await verifyContentDigest(`md5=:AAAAAAAAAAAAAAAAAAAAAA==:, ${SHA256}`, BODY);
});

test("verifyContentDigest refuses", async () => {
  const cases: [string | undefined, string | RegExp][] = [
    [undefined, "Missing Content-Digest header"],
    [SHA256.replace("X48", "Y48"), /"sha-256" does not match the body/],
    // One good digest does not excuse a bad one.
    [`${SHA256}, sha-512=:${"A".repeat(86)}==:`, /"sha-512" does not match the body/],
    ["md5=:AAAAAAAAAAAAAAAAAAAAAA==:, unixsum=:AAAA:", 'got "md5", "unixsum"'],
    ["", /got none/],
    ["sha-256=abc", /"sha-256" is not a byte sequence/],
    ["sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:", /not padded base64/],
    ["sha-256", /"sha-256" is not a byte sequence/],
    ["SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", /expected a key/],
  ];
  for (const [header, reason] of cases) {
    await assert.rejects(
      verifyContentDigest(header, BODY),
      (e) =>
        e instanceof HttpSigError &&
        (typeof reason === "string" ? e.message.includes(reason) : reason.test(e.message)),
      String(header),
    );
  }
});
