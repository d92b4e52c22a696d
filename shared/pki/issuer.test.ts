import { test } from "node:test";
import assert from "node:assert/strict";
import {
  caPathLength,
  createCertificateRequest,
  createDevCa,
  createIssuingCa,
  describeCertificate,
  generateKeyPair,
  issuedBy,
  permittedNames,
  signCertificateRequest,
} from "./mod.ts";

test("an issuing CA under the dev CA is name-constrained to the zone and cannot make more CAs", async () => {
  const root = await createDevCa("Test root");
  assert.equal(caPathLength(root.certPem), 1);
  const issuer = await createIssuingCa(root, {
    commonName: "Test issuer",
    permittedDns: ["hearth.localhost"],
    permittedIpv4: ["127.0.0.0/8", "10.1.2.3/32"],
  });
  assert.equal(caPathLength(issuer.certPem), 0);
  assert.deepEqual(permittedNames(issuer.certPem), {
    dns: ["hearth.localhost"],
    ipv4: ["127.0.0.0/8", "10.1.2.3/32"],
  });
  assert.ok(issuedBy(issuer.certPem, root.certPem));
  assert.ok(!issuedBy(root.certPem, issuer.certPem));
  const keys = await generateKeyPair();
  const names = ["alice.hearth.localhost", "local.alice.hearth.localhost", "127.0.0.1"];
  const csr = await createCertificateRequest(keys, {
    commonName: names[0],
    dnsNames: names.slice(0, 2),
    ipAddresses: ["127.0.0.1"],
  });
  const leaf = await signCertificateRequest(csr, issuer, { allowedNames: names });
  assert.ok(issuedBy(leaf, issuer.certPem));
  assert.deepEqual(describeCertificate(leaf).names, names);
  await assert.rejects(
    signCertificateRequest(csr, issuer, { allowedNames: names.slice(0, 1) }),
    /name "local\.alice\.hearth\.localhost" is not allowed/,
  );
  assert.equal(caPathLength(leaf), -1);
  await assert.rejects(
    createIssuingCa(root, { commonName: "x", permittedDns: [], permittedIpv4: ["300.1/8"] }),
    /300\.1\/8/,
  );
});

test("re-issuing the dev CA for the same key keeps what it signed valid", async () => {
  const root = await createDevCa("Same key");
  const issuer = await createIssuingCa(root, { commonName: "i", permittedDns: ["example.test"] });
  const again = await createDevCa("Same key", root.keyPem);
  assert.notEqual(again.certPem, root.certPem);
  assert.equal(again.keyPem, root.keyPem);
  assert.ok(issuedBy(issuer.certPem, again.certPem));
});
