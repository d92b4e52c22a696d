import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, fields, loadConfigFile, z } from "./config.ts";

const schema = z.strictObject({
  port: fields.port.default(8443),
  cloudUrl: fields.httpsUrl.default("https://127.0.0.1:8787"),
});

test("defaults fill a missing file; overrides win", () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-cfg-"));
  assert.deepEqual(loadConfigFile(join(dir, "none.json"), schema), {
    port: 8443,
    cloudUrl: "https://127.0.0.1:8787",
  });
  assert.equal(loadConfigFile(join(dir, "none.json"), schema, { overrides: { port: 1 } }).port, 1);
});

test("an unknown key, a bad URL or broken JSON is one sentence naming it", () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-cfg-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ prot: 1 }));
  assert.throws(
    () => loadConfigFile(file, schema),
    (e: unknown) => e instanceof ConfigError && e.message === `Unknown config key "prot" in ${file}`,
  );
  writeFileSync(file, JSON.stringify({ cloudUrl: "ftp://x" }));
  assert.throws(
    () => loadConfigFile(file, schema),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === `Config key "cloudUrl" in ${file} is invalid: expected an https:// URL`,
  );
  writeFileSync(file, "{");
  assert.throws(() => loadConfigFile(file, schema), /is not valid JSON/);
  writeFileSync(file, JSON.stringify({ port: 70000 }));
  assert.throws(() => loadConfigFile(file, schema), /Config key "port"/);
});
