import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkItemName,
  ImportPathError,
  isInside,
  ItemNameError,
  MAX_NAME_BYTES,
  resolveImportDir,
  splitItemPath,
} from "./names.ts";

describe("item names", () => {
  test.each([
    ["report.pdf", "report.pdf"],
    [".bashrc", ".bashrc"],
    ["Cafe\u0301", "Café"], // NFD in, NFC out
    ["日本語のファイル.txt", "日本語のファイル.txt"],
    ["a".repeat(MAX_NAME_BYTES), "a".repeat(MAX_NAME_BYTES)],
  ])("%j is accepted as %j", (input, out) => {
    expect(checkItemName(input)).toBe(out);
  });

  test.each([
    "",
    ".",
    "..",
    "a/b",
    "a\\b",
    "nul\u0000byte",
    "tab\there",
    "CON",
    "nul.txt",
    "lpt1.log",
    " leading",
    "trailing ",
    "a".repeat(MAX_NAME_BYTES + 1),
    "é".repeat(128), // 256 bytes in UTF-8
    "lone\ud800surrogate",
  ])("%j is refused with a sentence", (input) => {
    expect(() => checkItemName(input)).toThrow(ItemNameError);
  });

  test("property: an accepted name is NFC, one segment, short enough, and stable", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
        let name: string;
        try {
          name = checkItemName(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ItemNameError);
          expect((e as Error).message.length).toBeGreaterThan(0);
          return;
        }
        expect(name).toBe(name.normalize("NFC"));
        expect(name.includes("/")).toBe(false);
        expect(name.includes("\\")).toBe(false);
        expect(name === "." || name === "..").toBe(false);
        expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(checkItemName(name)).toBe(name); // idempotent
      }),
      { numRuns: 2000 },
    );
  });

  test("property: canonically equivalent names normalize to the same name", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite", minLength: 1, maxLength: 20 }), (s) => {
        const a = s.normalize("NFC");
        const b = s.normalize("NFD");
        let x: string | Error;
        let y: string | Error;
        try {
          x = checkItemName(a);
        } catch (e) {
          x = e as Error;
        }
        try {
          y = checkItemName(b);
        } catch (e) {
          y = e as Error;
        }
        if (typeof x === "string" || typeof y === "string") expect(x).toEqual(y);
      }),
      { numRuns: 1000 },
    );
  });

  test("property: item paths with a traversal segment are always refused", () => {
    const segment = fc.stringMatching(/^[a-z0-9 ._-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 5 }),
        fc.array(segment, { maxLength: 5 }),
        fc.constantFrom("..", "."),
        (a, b, bad) => {
          expect(() => splitItemPath([...a, bad, ...b].join("/"))).toThrow(ItemNameError);
        },
      ),
    );
    expect(() => splitItemPath("/etc/passwd")).toThrow(/must be relative/);
    expect(splitItemPath("a/b/c.txt")).toEqual(["a", "b", "c.txt"]);
  });
});

describe("import paths", () => {
  test("property: isInside agrees with a segment-wise prefix check, whatever the dots", () => {
    const seg = fc.constantFrom("a", "b", "ab", "..", ".", "a.b", "");
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), fc.array(seg, { maxLength: 6 }), (r, c) => {
        const root = "/" + r.join("/");
        const cand = "/" + c.join("/");
        const norm = (p: string) => {
          const out: string[] = [];
          for (const s of p.split("/")) {
            if (s === "" || s === ".") continue;
            if (s === "..") out.pop();
            else out.push(s);
          }
          return out;
        };
        const R = norm(root);
        const C = norm(cand);
        const expected = R.length <= C.length && R.every((s, i) => C[i] === s);
        expect(isInside(root, cand)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  test("a path outside the roots, a traversal and a symbolic link out are refused", () => {
    const base = mkdtempSync(join(tmpdir(), "hearth-roots-"));
    const root = join(base, "photos");
    mkdirSync(join(root, "2024"), { recursive: true });
    mkdirSync(join(base, "secret"));
    writeFileSync(join(root, "file.txt"), "x");
    symlinkSync(join(base, "secret"), join(root, "escape"));
    const roots = [root];
    expect(resolveImportDir(roots, join(root, "2024"))).toBe(join(root, "2024"));
    expect(resolveImportDir(roots, root)).toBe(root);
    expect(() => resolveImportDir(roots, join(base, "secret"))).toThrow(/outside the import roots/);
    expect(() => resolveImportDir(roots, `${root}/../secret`)).toThrow(/outside the import roots/);
    expect(() => resolveImportDir(roots, join(root, "escape"))).toThrow(/outside the import roots/);
    expect(() => resolveImportDir(roots, `${root}-evil`)).toThrow(ImportPathError);
    expect(() => resolveImportDir(roots, "relative/path")).toThrow(/must be absolute/);
    expect(() => resolveImportDir(roots, join(root, "file.txt"))).toThrow(/not a directory/);
    expect(() => resolveImportDir([], root)).toThrow(/no import roots/);
    expect(() => resolveImportDir(roots, "/")).toThrow(/outside the import roots/);
  });

  test("property: random paths never resolve outside the root", () => {
    const base = mkdtempSync(join(tmpdir(), "hearth-roots-"));
    const root = join(base, "r");
    mkdirSync(join(root, "a", "b"), { recursive: true });
    mkdirSync(join(base, "outside"));
    const seg = fc.constantFrom("a", "b", "..", ".", "outside", "r", "");
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 8 }), (segs) => {
        const p = join(root, ...segs);
        try {
          const real = resolveImportDir([root], p);
          expect(isInside(root, real)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ImportPathError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
