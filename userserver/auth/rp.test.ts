import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { issuerFor, safeReturnTo } from "./mod.ts";

describe("safeReturnTo", () => {
  test.each([
    ["/browse?x=1", "/browse?x=1"],
    ["/", "/"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["browse", "/"],
    ["/a\nb", "/"],
    [undefined, "/"],
    ["", "/"],
  ])("%p → %p", (input, want) => {
    expect(safeReturnTo(input as string | undefined)).toBe(want);
  });

  test("whatever comes in, the result stays on this origin", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.webPath()), (s) => {
        const out = safeReturnTo(s);
        expect(out.startsWith("/")).toBe(true);
        expect(out.startsWith("//")).toBe(false);
        expect(new URL(out, "https://alice.example").origin).toBe("https://alice.example");
      }),
      { numRuns: 2000 },
    );
  });
});

test("the issuer is id.<zone> on the cloud tier's port", () => {
  expect(issuerFor({ zone: "hearth.localhost", cloudUrl: "https://127.0.0.1:8787" })).toBe(
    "https://id.hearth.localhost:8787",
  );
  expect(issuerFor({ zone: "hearth.example", cloudUrl: "https://reg.hearth.example" })).toBe(
    "https://id.hearth.example",
  );
});
