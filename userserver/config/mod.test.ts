import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_VERSION, ConfigError, ConfigStore, loadUserServerConfig } from "./mod.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hearth-cfg-"));
  file = join(dir, "config.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("config", () => {
  test("a version-1 file (no version key) is upgraded in place and the old file kept as a backup", () => {
    const v1 = JSON.stringify({ name: "alice", localPort: 9443, enableByteStream: true }, null, 2);
    writeFileSync(file, v1);
    const { config, upgradedFrom } = loadUserServerConfig(dir, file);
    expect(upgradedFrom).toEqual({ version: 1, backup: `${file}.v1.bak` });
    expect(readFileSync(`${file}.v1.bak`, "utf8")).toBe(v1);
    const now = JSON.parse(readFileSync(file, "utf8"));
    expect(now).toEqual({
      name: "alice",
      localPort: 9443,
      enableByteStream: true,
      version: CONFIG_VERSION,
      importRoots: [],
      setupDone: true,
    });
    expect(config.importRoots).toEqual([]);
    // Loading again changes nothing and makes no second backup.
    expect(loadUserServerConfig(dir, file).upgradedFrom).toBeUndefined();
    expect(existsSync(`${file}.v1.1.bak`)).toBe(false);
  });

  test.each([
    ["{ not json", /^Config file .* is not valid JSON/],
    ["[1,2]", /must hold a JSON object/],
    [JSON.stringify({ version: 2, name: "alice", colour: "red" }), /Unknown config key "colour"/],
    [JSON.stringify({ version: 99, name: "alice" }), /has version 99, newer than this server understands/],
    [JSON.stringify({ version: "two", name: "alice" }), /Config key "version" .* is invalid/],
    [
      JSON.stringify({ version: 2, name: "alice", importRoots: ["relative"] }),
      /importRoots.0.*absolute path/,
    ],
  ])("a corrupt config %j fails with one sentence", (text, message) => {
    writeFileSync(file, text);
    let err: unknown;
    try {
      loadUserServerConfig(dir, file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.includes("\n")).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(text); // never rewritten
  });

  test("ConfigStore.update validates, keeps hand-edited keys and tells listeners", () => {
    writeFileSync(file, JSON.stringify({ version: 2, name: "alice", tunnels: 3 }));
    const store = new ConfigStore(loadUserServerConfig(dir, file).config);
    const seen: string[][] = [];
    store.onChange((c) => void seen.push(c.importRoots));
    store.update({ importRoots: ["/srv/photos"] });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      version: 2,
      name: "alice",
      tunnels: 3,
      importRoots: ["/srv/photos"],
    });
    expect(() => store.update({ importRoots: ["nope"] })).toThrow(ConfigError);
    expect(seen).toEqual([["/srv/photos"]]);
  });
});
