import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import {
  createCertificateRequest,
  excludedNames,
  exportPrivateKeyPem,
  generateKeyPair,
  permittedNames,
  signCertificateRequest,
} from "../../shared/pki/mod.ts";
import { ensureCloudIssuer, ensureDevCa } from "./ca.ts";

const ZONE = "hearth.test";
const EXCLUDED = [`id.${ZONE}`, `reg.${ZONE}`, `relay-a.${ZONE}`, `ns1.${ZONE}`];

/** A leaf for `name` signed with the issuing CA's key directly, bypassing RegCloud's checks. */
async function leafFor(dir: string, name: string) {
  const issuer = {
    keyPem: readFileSync(join(dir, "cloud/issuer/issuer.key"), "utf8"),
    certPem: readFileSync(join(dir, "cloud/issuer/issuer.crt"), "utf8"),
  };
  const keys = await generateKeyPair();
  const cert = await signCertificateRequest(
    await createCertificateRequest(keys, { commonName: name, dnsNames: [name] }),
    issuer,
  );
  return { issuer, cert, key: await exportPrivateKeyPem(keys.privateKey) };
}

/** Node's TLS client (OpenSSL) dialling a server that presents `cert` + the issuer for `name`. */
async function nodeHandshake(ca: string, chain: string, key: string, name: string): Promise<string> {
  const server = createServer({ cert: chain, key }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve) => {
      const s = connect({ host: "127.0.0.1", port, servername: name, ca }, () => {
        s.end();
        resolve("ok");
      });
      s.on("error", (err: NodeJS.ErrnoException) => resolve(`${err.code}: ${err.message}`));
    });
  } finally {
    server.close();
  }
}

test("the cloud's issuing CA excludes id., reg., relay and DNS names; OpenSSL and Node refuse such a leaf", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-ca-"));
  try {
    const ca = await ensureDevCa(join(dir, "ca"));
    await ensureCloudIssuer(join(dir, "cloud"), ca, ZONE, EXCLUDED);
    const issuerPem = readFileSync(join(dir, "cloud/issuer/issuer.crt"), "utf8");
    expect(permittedNames(issuerPem)?.dns).toEqual([ZONE]);
    expect(excludedNames(issuerPem)?.dns).toEqual([...EXCLUDED].sort());

    const bad = await leafFor(dir, `id.${ZONE}`);
    const good = await leafFor(dir, `alice.${ZONE}`);
    writeFileSync(join(dir, "ca.pem"), ca.certPem);
    writeFileSync(join(dir, "issuer.pem"), issuerPem);
    const verify = (cert: string) => {
      writeFileSync(join(dir, "leaf.pem"), cert);
      return spawnSync("openssl", [
        "verify",
        "-CAfile",
        join(dir, "ca.pem"),
        "-untrusted",
        join(dir, "issuer.pem"),
        join(dir, "leaf.pem"),
      ], { encoding: "utf8" });
    };
    expect(verify(good.cert).status).toBe(0);
    const refused = verify(bad.cert);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/excluded subtree/i);

    const chain = (l: { cert: string }) => l.cert.trim() + "\n" + issuerPem;
    expect(await nodeHandshake(ca.certPem, chain(good), good.key, `alice.${ZONE}`)).toBe("ok");
    expect(await nodeHandshake(ca.certPem, chain(bad), bad.key, `id.${ZONE}`)).toMatch(
      /SUBTREE|NAME_CONSTRAINT/i,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
