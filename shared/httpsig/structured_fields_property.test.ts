import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { HttpSigError } from "./errors.ts";
import {
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  MAX_FIELD_LENGTH,
  MAX_INNER_LIST_ITEMS,
  MAX_MEMBERS,
  parseDictionary,
  serializeDictionary,
  Token,
} from "./structured_fields.ts";

/** Fixed seed: a failure reproduces on the next run and on the other runtime. */
const SEED = 9421;

/** Parses, and lets through nothing but success or an HttpSigError. */
function parseOrRefuse(input: string): Dictionary | HttpSigError {
  try {
    return parseDictionary(input);
  } catch (e) {
    if (e instanceof HttpSigError) return e;
    throw new Error(`${String(e)} for ${JSON.stringify(input)}`);
  }
}

/** Characters that mean something to the grammar, so random input gets past the first byte. */
const grammarChar = fc.constantFrom(
  ..."abcz09*-_.:/;=,()\"\\?!#$%&'+^`|~ \tAZ@é\n".split(""),
  "sig1=",
  '"@method"',
  ";created=1",
  ":AQID:",
  ":AAAA==:",
);

const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,8}$/);
const bareItem: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]{0,10}$/).map((t) => new Token(t)),
  fc.uint8Array({ maxLength: 40 }),
  fc.boolean(),
);
/** Unique keys, as a Map would keep them. */
const params = fc.uniqueArray(fc.tuple(key, bareItem), { maxLength: 4, selector: ([k]) => k })
  .map((entries) => new Map(entries));
// Built with map, not fc.record, whose objects have a null prototype and so never deepEqual ours.
const item: fc.Arbitrary<Item> = fc.tuple(bareItem, params).map(([value, params]) => ({
  kind: "item",
  value,
  params,
}));
const innerList: fc.Arbitrary<InnerList> = fc
  .tuple(fc.array(item, { maxLength: MAX_INNER_LIST_ITEMS }), params)
  .map(([items, params]) => ({ kind: "inner-list", items, params }));
const dictionary: fc.Arbitrary<Dictionary> = fc
  .uniqueArray(fc.tuple(key, fc.oneof(item, innerList)), { maxLength: MAX_MEMBERS, selector: ([k]) => k })
  .map((entries) => new Map(entries));

/** Up to 8 random insertions, deletions or replacements, at positions taken modulo the length. */
const edits = fc.array(fc.tuple(fc.constantFrom("insert", "delete", "replace"), fc.nat(), grammarChar), {
  minLength: 1,
  maxLength: 8,
});

function applyEdits(text: string, changes: [string, number, string][]): string {
  let out = text;
  for (const [kind, at, c] of changes) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === "insert") out = out.slice(0, i) + c + out.slice(i);
    else if (kind === "delete") out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + c + out.slice(i + 1);
  }
  return out;
}

/** Dictionaries whose serialization is within the parser's length bound. */
const fitting = dictionary.filter((dict) => serializeDictionary(dict).length <= MAX_FIELD_LENGTH);

describe("parseDictionary: properties", () => {
  test("random strings only ever parse or throw HttpSigError", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: MAX_FIELD_LENGTH + 100 }), (input) => {
        parseOrRefuse(input);
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  test("valid fields after random edits only ever parse or throw HttpSigError, and what parses re-serializes stably", () => {
    // Pure random text fails on its first character; edits of a valid field reach every state.
    fc.assert(
      fc.property(fitting.map(serializeDictionary), edits, (text, changes) => {
        const input = applyEdits(text, changes);
        const parsed = parseOrRefuse(input);
        if (parsed instanceof HttpSigError) return;
        // Whatever the parser accepts, the serializer can write, and reading that back is stable.
        const canonical = serializeDictionary(parsed);
        assert.deepEqual(parseDictionary(canonical), parsed);
        assert.equal(serializeDictionary(parseDictionary(canonical)), canonical);
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  test("serialized dictionaries parse back to themselves", () => {
    fc.assert(
      fc.property(fitting, (dict) => {
        assert.deepEqual(parseDictionary(serializeDictionary(dict)), dict);
      }),
      { numRuns: 1000, seed: SEED },
    );
  });

  test("every truncation and every one-character change of a valid field parses or throws HttpSigError", () => {
    fc.assert(
      fc.property(
        fitting.map(serializeDictionary).filter((text) => text.length > 0),
        fc.nat(),
        grammarChar,
        (text, at, c) => {
          const cut = at % text.length;
          parseOrRefuse(text.slice(0, cut));
          parseOrRefuse(text.slice(0, cut) + c + text.slice(cut + 1));
        },
      ),
      { numRuns: 2000, seed: SEED },
    );
  });

  test("inputs built to the size limit finish", () => {
    // Each is one pass; a backtracking parser or regex would take visibly long on these.
    const n = MAX_FIELD_LENGTH;
    const inputs = [
      "a=(" + " ".repeat(n - 4),
      `a=:${"A".repeat(n - 5)}!`,
      `a="${"\\\\".repeat((n - 4) / 2)}`,
      `a=("x"${";k".repeat((n - 8) / 2)})`,
      `a=1${";k=1".repeat((n - 3) / 4)}`,
      ` ${" ".repeat(n - 2)}a`,
      `a=tok${"/".repeat(n - 5)}`,
      `a=1${"\t".repeat(n - 5)},b`,
    ];
    for (const input of inputs) {
      assert.ok(input.length <= n, `${input.length}`);
      parseOrRefuse(input);
    }
  });
});
