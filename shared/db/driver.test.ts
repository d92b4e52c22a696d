import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseDriver, DatabaseConfigError } from "./driver.ts";

test("file URLs pick the embedded client", () => {
  assert.deepEqual(chooseDriver("file:.data/cloud/cloud.db"), {
    kind: "file",
    url: "file:.data/cloud/cloud.db",
    path: ".data/cloud/cloud.db",
  });
  assert.equal((chooseDriver("file:/tmp/a%20b.db") as { path: string }).path, "/tmp/a b.db");
});

test("remote URLs need a token and pick the web client where only HTTP exists", () => {
  assert.deepEqual(chooseDriver("libsql://db.turso.io", { authToken: "t" }), {
    kind: "remote",
    url: "libsql://db.turso.io",
    authToken: "t",
    module: "@libsql/client",
  });
  const web = chooseDriver("https://db.turso.io", { authToken: "t", httpOnly: true });
  assert.equal(web.kind === "remote" && web.module, "@libsql/client/web");
  assert.throws(() => chooseDriver("libsql://db.turso.io"), /needs an auth token/);
  assert.throws(() => chooseDriver("wss://db", { authToken: "t", httpOnly: true }), /only HTTP/);
  assert.throws(() => chooseDriver("file:x.db", { httpOnly: true }), /only HTTP/);
});

test("nonsense is refused with the URL quoted", () => {
  assert.throws(
    () => chooseDriver("postgres://x"),
    (e: unknown) => e instanceof DatabaseConfigError && e.message.includes('"postgres://x"'),
  );
  assert.throws(() => chooseDriver("cloud.db"), /is not a URL/);
  assert.throws(() => chooseDriver("file:"), /names no file/);
});
