import { expect, test } from "bun:test";
import { mergeByRank, type PeerHit, safeSnippet } from "./search.tsx";

const hit = (id: string): PeerHit => ({
  id,
  name: id,
  kind: "file",
  type: "text/plain",
  size: 1,
  mtime: 0,
  snippet: "",
});

test("friends' results merge by rank position, each marked with its owner", () => {
  const merged = mergeByRank([
    { friend: "bob", hits: [hit("b1"), hit("b2"), hit("b3")] },
    { friend: "carol", hits: [hit("c1")] },
    { friend: "dave", hits: [], missing: "offline" },
  ]);
  expect(merged.map((h) => `${h.friend}:${h.id}`)).toEqual(["bob:b1", "carol:c1", "bob:b2", "bob:b3"]);
});

test("a friend's snippet keeps only <mark>; anything else is text", () => {
  expect(safeSnippet("a <mark>stew</mark> with &#60;b&#62;")).toBe("a <mark>stew</mark> with &#60;b&#62;");
  expect(safeSnippet('<img src=x onerror="alert(1)"><mark>x</mark>')).toBe(
    "&#60;img src=x onerror=&#34;alert(1)&#34;&#62;<mark>x</mark>",
  );
  // Random input: no tag but <mark> and </mark> ever comes out.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = [
    "<",
    ">",
    "/",
    "mark",
    "script",
    "&#60;",
    "&#",
    ";",
    "a",
    " ",
    '"',
    "'",
    "&",
    "&#999999999;",
  ];
  for (let i = 0; i < 2000; i++) {
    let s = "";
    for (let j = 0; j < 40; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    const out = safeSnippet(s).replaceAll("<mark>", "").replaceAll("</mark>", "");
    expect([s, out.includes("<") || out.includes(">")]).toEqual([s, false]);
  }
});
