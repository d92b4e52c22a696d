import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, publicJwk } from "../pki/mod.ts";
import { ServerAuthError, signServerRequest, verifyServerRequest } from "./server_request.ts";

test("a signed request verifies with the server's public key and nothing else", async () => {
  const keys = await generateKeyPair();
  const jwk = await publicJwk(keys.publicKey);
  const req = { method: "POST", path: "/reg/v1/server/relays", body: '{"want":2}' };
  const header = await signServerRequest(keys.privateKey, "srv_1", req);
  assert.equal(await verifyServerRequest(header, jwk, req), "srv_1");

  const other = await publicJwk((await generateKeyPair()).publicKey);
  await assert.rejects(verifyServerRequest(header, other, req), ServerAuthError);
  await assert.rejects(verifyServerRequest(header, jwk, { ...req, path: "/other" }), /not POST \/other/);
  await assert.rejects(verifyServerRequest(header, jwk, { ...req, body: "{}" }), /does not cover this body/);
  await assert.rejects(verifyServerRequest(undefined, jwk, req), /Missing/);
  await assert.rejects(verifyServerRequest("HearthServer a.b.c", jwk, req), ServerAuthError);
});
