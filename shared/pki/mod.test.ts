import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import {
  certificateMatchesKey,
  createCertificateRequest,
  createDevCa,
  describeCertificate,
  exportPrivateKeyPem,
  generateKeyPair,
  PkiError,
  signCertificateRequest,
} from "./mod.ts";

const names = {
  commonName: "alice.hearth.localhost",
  dnsNames: ["alice.hearth.localhost", "local.alice.hearth.localhost"],
  ipAddresses: ["127.0.0.1"],
};

test("a CA signs a request with exactly the requested names, and the chain verifies", async () => {
  const ca = await createDevCa();
  const keys = await generateKeyPair();
  const csr = await createCertificateRequest(keys, names);
  const certPem = await signCertificateRequest(csr, ca);
  const info = describeCertificate(certPem);
  assert.deepEqual(info.names, ["alice.hearth.localhost", "local.alice.hearth.localhost", "127.0.0.1"]);
  const leaf = new X509Certificate(certPem);
  assert.ok(leaf.verify(new X509Certificate(ca.certPem).publicKey), "leaf is signed by the CA");
  assert.equal(leaf.checkHost("local.alice.hearth.localhost"), "local.alice.hearth.localhost");
  assert.equal(leaf.checkIP("127.0.0.1"), "127.0.0.1");
  assert.equal(leaf.checkHost("bob.hearth.localhost"), undefined);
  assert.ok(await certificateMatchesKey(certPem, await exportPrivateKeyPem(keys.privateKey)));
  const other = await generateKeyPair();
  assert.equal(await certificateMatchesKey(certPem, await exportPrivateKeyPem(other.privateKey)), false);
});

test("names outside the allowed list are refused with the name quoted", async () => {
  const ca = await createDevCa();
  const csr = await createCertificateRequest(await generateKeyPair(), names);
  await assert.rejects(
    signCertificateRequest(csr, ca, { allowedNames: ["alice.hearth.localhost", "127.0.0.1"] }),
    (e: unknown) => e instanceof PkiError && e.message.includes('"local.alice.hearth.localhost"'),
  );
});

test("garbage instead of a request is a clear error", async () => {
  const ca = await createDevCa();
  await assert.rejects(signCertificateRequest("not a csr", ca), PkiError);
});
