import { expect, test } from "bun:test";
import { checkedPage } from "./shared_albums.tsx";
import { rng } from "../../bench/_rng.ts";

const good = {
  title: "Coast",
  description: "Summer",
  skin: "story",
  total: 2,
  tiles: [
    { i: "abc_DEF-1", h: "0123456789ab", t: 1_700_000_000_000, w: 64, ht: 48, c: "#48c" },
    { i: "v1", h: "ff", t: 0, w: 10, ht: 10, c: "#000", k: "v" },
  ],
};

test("a friend's album page is kept as it is when well-formed", () => {
  const page = checkedPage(good, 0)!;
  expect(page.title).toBe("Coast");
  expect(page.skin).toBe("story");
  expect(page.tiles.map((t) => t.i)).toEqual(["abc_DEF-1", "v1"]);
  expect(page.tiles[1]!.k).toBe("v");
  expect(page.total).toBe(2);
});

test("ids, hashes and colours that would leave their URL or style are dropped", () => {
  const page = checkedPage({
    ...good,
    skin: "<script>",
    tiles: [
      { ...good.tiles[0], i: "../../friends/alice/end" },
      { ...good.tiles[0], h: "zz?x=1" },
      { ...good.tiles[0], i: "ok", c: "red;background:url(//evil)" },
      "not a tile",
      null,
    ],
    total: -5,
  }, 0)!;
  expect(page.skin).toBe("grid");
  expect(page.tiles.map((t) => [t.i, t.c])).toEqual([["ok", ""]]);
  expect(page.total).toBe(1);
});

/** Random JSON-ish values: the checker answers a page or undefined, never throws, never lets a bad id through. */
test("property: random and truncated answers never throw and never yield a bad id", () => {
  const r = rng(19);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const scalar = () =>
    pick<unknown>([
      null,
      r() * 1e12,
      -1,
      NaN,
      "x",
      "../",
      "#fff",
      "0af",
      "a".repeat(100),
      true,
      {},
      [],
    ]);
  const value = (depth: number): unknown => {
    if (depth > 3 || r() < 0.3) return scalar();
    if (r() < 0.5) return Array.from({ length: Math.floor(r() * 5) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (const k of ["title", "description", "skin", "tiles", "total", "i", "h", "t", "w", "ht", "c", "k"]) {
      if (r() < 0.5) o[k] = value(depth + 1);
    }
    return o;
  };
  const text = JSON.stringify(good);
  for (let n = 0; n < 3000; n++) {
    let input: unknown = value(0);
    if (n % 3 === 1) {
      // A well-formed page with random parts replaced (fields and tiles alike).
      const page: Record<string, unknown> = structuredClone(good);
      for (const k of Object.keys(page)) if (r() < 0.3) page[k] = value(1);
      if (Array.isArray(page.tiles)) {
        page.tiles = page.tiles.map((t) => {
          if (!t || typeof t !== "object" || r() < 0.5) return t;
          const x: Record<string, unknown> = { ...t };
          for (const k of Object.keys(x)) if (r() < 0.3) x[k] = value(2);
          return x;
        });
      }
      input = page;
    }
    if (n % 3 === 0) {
      // A truncated answer, parsed as far as it goes (a friend's server cut off mid-body).
      try {
        input = JSON.parse(text.slice(0, Math.floor(r() * text.length)));
      } catch {
        input = undefined;
      }
    }
    const page = checkedPage(input, 0);
    if (!page) continue;
    expect(typeof page.title).toBe("string");
    expect(["grid", "story"]).toContain(page.skin);
    for (const t of page.tiles) {
      expect(t.i).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(t.h).toMatch(/^[0-9a-f]{1,64}$/);
      expect(Number.isFinite(t.w) && Number.isFinite(t.ht) && Number.isFinite(t.t)).toBe(true);
    }
    expect(page.total).toBeGreaterThanOrEqual(page.tiles.length);
  }
});
