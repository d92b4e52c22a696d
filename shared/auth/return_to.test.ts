import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { safeReturnTo } from "./return_to.ts";

test("same-origin paths pass; everything else falls back", () => {
  assert.equal(safeReturnTo("/browse?x=1#h"), "/browse?x=1#h");
  for (
    const bad of [
      "//evil.example/x",
      "/\\evil.example",
      "https://evil.example/",
      "browse",
      "/a\nb",
      "",
      "/.//evil",
    ]
  ) {
    assert.equal(safeReturnTo(bad, "/account"), "/account", bad);
  }
  assert.equal(safeReturnTo(undefined), "/");
});

test("property: whatever comes in, the result stays on this origin", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.webPath(), fc.constant("/.//x")), (s) => {
      const out = safeReturnTo(s);
      assert.ok(out.startsWith("/") && !out.startsWith("//"), out);
      assert.equal(new URL(out, "https://alice.example").origin, "https://alice.example");
    }),
    { numRuns: 3000 },
  );
});
