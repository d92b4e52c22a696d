import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateKeyPair } from "../pki/mod.ts";
import type { RequestParts } from "./base.ts";
import { HttpSigError } from "./errors.ts";
import { signRequest } from "./sign.ts";
import { parseDictionary, serializeDictionary } from "./structured_fields.ts";
import { type VerifyOptions, verifyRequest } from "./verify.ts";

/** Fixed seed: a failure reproduces on the next run and on the other runtime. */
const SEED = 9421;
const NOW = 1_760_000_000;

const keys = await generateKeyPair();
const options: VerifyOptions = {
  lookupKey: (keyId) => Promise.resolve(keyId === "alice#1" ? keys.publicKey : undefined),
  // Every run is a fresh request here; replay has its own test in verify.test.ts.
  rememberNonce: () => Promise.resolve(true),
  now: NOW,
};
const request: RequestParts = {
  method: "POST",
  authority: "bob.hearth.example",
  path: "/api/v1/inbox",
  query: "?since=3",
  headers: { "content-type": "application/json" },
  body: '{"hi":1}',
};
const added = await signRequest(request, { keyId: "alice#1", privateKey: keys.privateKey }, { created: NOW });
const valid: RequestParts = { ...request, headers: { ...request.headers, ...added } };
const signed = ["signature-input", "signature", "content-digest", "date"] as const;

type Outcome = "verified" | "refused";

/** Verifies, and lets through nothing but success or an HttpSigError. */
async function outcome(parts: RequestParts): Promise<Outcome> {
  try {
    await verifyRequest(parts, options);
    return "verified";
  } catch (e) {
    if (e instanceof HttpSigError) return "refused";
    throw new Error(`${String(e)} for ${JSON.stringify(parts.headers)}`);
  }
}

const withHeader = (name: string, value: string): RequestParts => ({
  ...valid,
  headers: { ...valid.headers, [name]: value },
});

const grammarChar = fc.constantFrom(
  ...'abz09*-_.:/;=,()"\\?@ \té\nAZ+'.split(""),
  "hearth=",
  '"@method"',
  ":AAAA:",
);

describe("verifyRequest: properties", () => {
  test("the unchanged request verifies (the control for everything below)", async () => {
    assert.equal(await outcome(valid), "verified");
  });

  test("random signature headers are refused with HttpSigError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signed),
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 9000 }),
          fc.string({ unit: grammarChar, maxLength: 300 }),
        ),
        async (name, value) => {
          assert.equal(await outcome(withHeader(name, value)), "refused");
        },
      ),
      { numRuns: 2000, seed: SEED },
    );
  });

  test("every truncation of a signed header is refused with HttpSigError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signed), fc.nat(), async (name, at) => {
        const value = valid.headers[name];
        assert.equal(await outcome(withHeader(name, value.slice(0, at % value.length))), "refused");
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  test("random edits of a signed header are refused with HttpSigError unless they change nothing signed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signed),
        fc.array(fc.tuple(fc.nat(), grammarChar), { minLength: 1, maxLength: 4 }),
        async (name, edits) => {
          const original = valid.headers[name];
          let value = original;
          for (const [at, c] of edits) {
            const i = at % value.length;
            value = value.slice(0, i) + c + value.slice(i + 1);
          }
          if ((await outcome(withHeader(name, value))) === "refused") return;
          // What still verifies must mean the same: the same Date, or the same parsed field (an
          // edit can hit only the padding bits that base64 decoding drops).
          if (name === "date") assert.equal(value, original);
          else {assert.equal(
              serializeDictionary(parseDictionary(value)),
              serializeDictionary(parseDictionary(original)),
            );}
        },
      ),
      { numRuns: 2000, seed: SEED },
    );
  });

  test("random request parts are refused with HttpSigError unless they equal the signed ones", async () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ unit: grammarChar, maxLength: 40 }),
    );
    const part = (name: "method" | "authority" | "path" | "query" | "body") =>
      fc.option(fc.oneof(text, fc.constant(String(valid[name]))), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(part("method"), part("authority"), part("path"), part("query"), part("body")),
        fc.dictionary(text, text, { maxKeys: 4 }),
        async ([method, authority, path, query, body], extra) => {
          const parts: RequestParts = {
            method: method ?? valid.method,
            authority: authority ?? valid.authority,
            path: path ?? valid.path,
            query: query ?? valid.query,
            body: body ?? valid.body,
            // Uncovered headers may be anything; the signed ones stay.
            headers: { ...extra, ...valid.headers },
          };
          const same = parts.method === valid.method && parts.authority.toLowerCase() === valid.authority &&
            parts.path === valid.path && parts.query === valid.query && parts.body === valid.body;
          assert.equal(await outcome(parts), same ? "verified" : "refused");
        },
      ),
      { numRuns: 2000, seed: SEED },
    );
  });
});
