import { describe, expect, test } from "bun:test";
import { evaluateIf, IfHeaderError, parseIf, submittedTokens } from "./if_header.ts";

const T = "opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4";

describe("If header", () => {
  test("untagged lists, Not, entity tags", () => {
    const lists = parseIf(`(<${T}> ["abc"]) (Not <DAV:no-lock>)`);
    expect(lists).toEqual([
      { resource: undefined, conditions: [{ not: false, token: T }, { not: false, etag: '"abc"' }] },
      { resource: undefined, conditions: [{ not: true, token: "DAV:no-lock" }] },
    ]);
    expect(submittedTokens(lists)).toEqual(new Set([T, "DAV:no-lock"]));
    const locked = { etag: '"abc"', lockTokens: new Set([T]) };
    expect(evaluateIf(parseIf(`(<${T}>)`), () => locked)).toBe(true);
    expect(evaluateIf(parseIf(`(<opaquelocktoken:other>)`), () => locked)).toBe(false);
    expect(evaluateIf(parseIf(`(Not <DAV:no-lock>)`), () => locked)).toBe(true);
    expect(evaluateIf(parseIf(`(<DAV:no-lock>)`), () => locked)).toBe(false);
    expect(evaluateIf(parseIf(`(["abc"])`), () => locked)).toBe(true);
    expect(evaluateIf(parseIf(`(Not ["abc"])`), () => locked)).toBe(false);
  });

  test("tagged lists name their resource", () => {
    const lists = parseIf(`<http://h/dav/a> (<${T}>) <http://h/dav/b> (["x"])`);
    expect(lists.map((l) => l.resource)).toEqual(["http://h/dav/a", "http://h/dav/b"]);
    const seen: (string | undefined)[] = [];
    evaluateIf(lists, (r) => {
      seen.push(r);
      return { lockTokens: new Set() };
    });
    expect(seen).toEqual(["http://h/dav/a", "http://h/dav/b"]);
  });

  test("malformed headers are IfHeaderError", () => {
    for (
      const bad of [
        "",
        "   ",
        "()",
        "(",
        `(<${T}>`,
        "<http://x>",
        `(<${T}>) <http://x> (<a>)`,
        "(foo)",
        "([])",
      ]
    ) {
      expect(() => parseIf(bad), bad).toThrow(IfHeaderError);
    }
  });

  test("property: random and truncated input parses or throws IfHeaderError, never anything else", () => {
    const alphabet = ["(", ")", "<", ">", "[", "]", " ", "N", "o", "t", '"', "a", ":", "/", T];
    const good = `<http://h/dav/a> (<${T}> ["e"]) (Not <DAV:no-lock>)`;
    for (let run = 0; run < 3000; run++) {
      const input = run % 2
        ? good.slice(0, Math.floor(Math.random() * good.length))
        : Array.from({ length: Math.floor(Math.random() * 20) }, () =>
          alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
      try {
        const lists = parseIf(input);
        expect(lists.length).toBeGreaterThan(0);
        for (const l of lists) expect(l.conditions.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(IfHeaderError);
      }
    }
  });
});
