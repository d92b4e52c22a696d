import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../platform/db.ts";
import * as cloudSchema from "../shared/db/cloud/schema.ts";
import { silentLogger } from "../shared/log/mod.ts";
import { createCloudApp } from "./app.ts";

const migrationsFolder = new URL("../migrations/cloud", import.meta.url).pathname;

test("the cloud app answers /healthz from its database and 404s unknown routes as JSON", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-edge-"));
  const db = await openDatabase(`file:${join(dir, "cloud.db")}`, { schema: cloudSchema, migrationsFolder });
  try {
    const app = createCloudApp({ db, log: silentLogger, zone: "hearth.localhost", now: Date.now });
    const ok = await app.request("/healthz");
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { ok: true, service: "cloud", zone: "hearth.localhost" });
    const missing = await app.request("/nope");
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "No route for GET /nope" });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("IdCloud's pages carry the strict security headers: CSP without any script, no framing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-edge-"));
  const db = await openDatabase(`file:${join(dir, "cloud.db")}`, { schema: cloudSchema, migrationsFolder });
  try {
    const app = createCloudApp({ db, log: silentLogger, zone: "hearth.localhost", now: Date.now });
    for (const path of ["/login", "/signup", "/healthz", "/nope"]) {
      const res = await app.request(`https://id.hearth.localhost${path}`);
      await res.body?.cancel();
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'none'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
      assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=\d+/, path);
    }
    const login = await (await app.request("https://id.hearth.localhost/login")).text();
    for (const tag of login.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc="/);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
