/** Media types from names (#15: a `.ts` file was shown as text/javascript). */
import { expect, test } from "bun:test";
import { mediaTypeOf } from "./media_types.ts";

test("TypeScript is not JavaScript; common source files get text types", () => {
  expect(mediaTypeOf("main.ts")).toBe("text/x-typescript");
  expect(mediaTypeOf("View.TSX")).toBe("text/x-typescript");
  expect(mediaTypeOf("lib.rs")).toBe("text/x-rust");
  expect(mediaTypeOf("main.go")).toBe("text/x-go");
  expect(mediaTypeOf("run.py")).toBe("text/x-python");
  expect(mediaTypeOf("app.js")).toBe("text/javascript");
  expect(mediaTypeOf("photo.JPG")).toBe("image/jpeg");
  expect(mediaTypeOf("notes.txt")).toBe("text/plain");
});

test("no extension, a dot-file, or an unknown one is octet-stream; never a parameter", () => {
  expect(mediaTypeOf("Makefile")).toBe("application/octet-stream");
  expect(mediaTypeOf(".ts")).toBe("application/octet-stream");
  expect(mediaTypeOf("x.unknownext")).toBe("application/octet-stream");
  expect(mediaTypeOf("data.json")).toBe("application/json");
});

test("any name gives a type/subtype without parameters (random names)", () => {
  const chars = "abcXYZ.._-ts ñ😀/";
  for (let n = 0; n < 2000; n++) {
    const name = Array.from(
      { length: Math.floor(Math.random() * 12) },
      () => chars[Math.floor(Math.random() * chars.length)],
    ).join("");
    expect(mediaTypeOf(name)).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
  }
});
