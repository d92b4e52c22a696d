import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { ImportPathError } from "./names.ts";
import { checkImportRoots, DATA_DIR_MARKERS, isDataDir, PathPolicy } from "./path_policy.ts";

const base = mkdtempSync(join(tmpdir(), "hearth-policy-"));
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
  rmSync(homes, { recursive: true, force: true });
});
const data = join(base, "data"); // this server's data directory (no markers needed: it is named)
const other = join(base, "elsewhere", "relay-b"); // another process's, found by its marker
const docs = join(base, "docs");
const homes = mkdtempSync(join(tmpdir(), "hearth-policy-homes-"));
const home = join(homes, "home", "alice");
mkdirSync(join(data, "blobs"), { recursive: true });
writeFileSync(join(data, "config.json"), "{}");
mkdirSync(join(other, "sub"), { recursive: true });
writeFileSync(join(other, "tls.key"), "KEY");
mkdirSync(join(docs, "Photos"), { recursive: true });
mkdirSync(join(home, "Pictures"), { recursive: true });
symlinkSync(data, join(docs, "innocent")); // a link into the data directory
symlinkSync(join(other, "sub"), join(docs, "deep")); // a link to a folder below a marker
const policy = new PathPolicy([data], { homes: [home] });

describe("PathPolicy", () => {
  test("a data directory is found by name, by marker, and through links, `..` and trailing slashes", () => {
    for (
      const p of [
        data,
        `${data}/`,
        join(data, "blobs"),
        `${docs}/../data/blobs/`,
        join(docs, "innocent"),
        join(docs, "innocent", "blobs"),
        other,
        join(other, "sub"),
        join(docs, "deep"),
        `${join(docs, "deep")}/../`, // realpath of the link first: its parent is `other`
        join(other, "not-yet-existing"),
      ]
    ) {
      expect(() => policy.checkReadable(p), p).toThrow(/data folder of a Hearth server/);
    }
    expect(policy.checkReadable(join(docs, "Photos"))).toBe(join(docs, "Photos"));
    expect(policy.checkReadable(`${docs}/Photos/../Photos/`)).toBe(join(docs, "Photos"));
    expect(isDataDir(other)).toBe(true);
    expect(isDataDir(docs)).toBe(false);
  });

  test("every marker file makes its folder a data directory", () => {
    for (const m of DATA_DIR_MARKERS) {
      const d = mkdtempSync(join(base, "m-"));
      writeFileSync(join(d, m), "");
      expect(() => policy.checkReadable(d), m).toThrow(ImportPathError);
    }
  });

  test("`/`, a home directory as a whole and its ancestors are refused as roots, with the reason", () => {
    expect(() => policy.checkRoot("/")).toThrow(/whole disk/);
    expect(() => policy.checkRoot("/./")).toThrow(/whole disk/);
    expect(() => policy.checkRoot(`${home}/`)).toThrow(/whole home directory/);
    expect(() => policy.checkRoot(`${home}/Pictures/..`)).toThrow(/whole home directory/);
    expect(() => policy.checkRoot(join(homes, "home"))).toThrow(/whole home directory/);
    expect(() => policy.checkRoot("/home")).toThrow(/whole home directory/);
    expect(() => policy.checkRoot("/root")).toThrow(/whole home directory/);
    expect(() => policy.checkRoot("relative")).toThrow(/absolute/);
    expect(() => policy.checkRoot(join(docs, "innocent"))).toThrow(/data folder/);
    expect(policy.checkRoot(join(home, "Pictures"))).toBe(join(home, "Pictures"));
    expect(() => checkImportRoots(policy, [docs, "/"])).toThrow(/whole disk/);
    expect(() => checkImportRoots(policy, [join(docs, "missing")])).toThrow(/not a folder/);
    expect(checkImportRoots(policy, [docs, docs])).toEqual([docs]);
  });

  test("a root of `/` set earlier grants nothing, and an allowed root cannot reach a data directory", () => {
    expect(() => policy.resolveImportDir(["/"], join(docs, "Photos"))).toThrow(/whole disk/);
    expect(policy.resolveImportDir(["/", docs], join(docs, "Photos"))).toBe(join(docs, "Photos"));
    expect(() => policy.resolveImportDir([docs], join(docs, "innocent"))).toThrow(
      /outside the import roots|data folder/,
    );
    expect(() => policy.resolveImportDir([base], data)).toThrow(/data folder/);
    expect(() => policy.resolveImportDir([base], `${docs}/../data/`)).toThrow(/data folder/);
  });

  test("property: any path built from parts, `..`, `.`, links and slashes is refused iff its real path is in a data directory", () => {
    const parts = fc.constantFrom(
      "data",
      "docs",
      "Photos",
      "innocent",
      "deep",
      "..",
      ".",
      "",
      "blobs",
      "elsewhere",
      "relay-b",
      "sub",
    );
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 8 }), fc.boolean(), (segs, slash) => {
        const p = join(base, ...segs) + (slash ? "/" : "");
        let refused = false;
        try {
          policy.checkReadable(p);
        } catch (e) {
          expect(e).toBeInstanceOf(ImportPathError);
          refused = true;
        }
        const real = policy.dataDirOf(p);
        expect(refused).toBe(real !== undefined);
      }),
      { numRuns: 500 },
    );
  });
});
