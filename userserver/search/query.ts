/**
 * What the user typed → an FTS5 MATCH expression that can never be a syntax error. Words are
 * split the way FTS5's unicode61 tokenizer splits them (letters, digits and marks; everything
 * else separates) and each is quoted, so `AND`, `NEAR`, `*`, `:` or an unbalanced quote in the
 * input is only text. "Quoted words" are phrases, a leading `-` excludes a word, and the last word
 * is a prefix while the user is still typing it (no space after it).
 */

export interface QueryTerm {
  /** Lower-case words; more than one for a phrase. */
  words: string[];
  prefix: boolean;
  negated: boolean;
}

export interface ParsedQuery {
  terms: QueryTerm[];
  /** The FTS5 expression, or "" when nothing positive is left to search for. */
  match: string;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** FTS5 stops considering a query sensible long before this; the UI sends far less. */
export const MAX_TERMS = 16;

function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).slice(0, MAX_TERMS);
}

export function parseQuery(input: string): ParsedQuery {
  const terms: QueryTerm[] = [];
  const text = input.normalize("NFC").slice(0, 1000);
  // Phrases first: "…" (an unclosed quote runs to the end, as people type it).
  const parts = text.match(/-?"[^"]*"?|[^\s"]+/g) ?? [];
  for (const [i, raw] of parts.entries()) {
    if (terms.length >= MAX_TERMS) break;
    const negated = raw.startsWith("-") && raw.length > 1;
    const body = negated ? raw.slice(1) : raw;
    const isPhrase = body.startsWith('"');
    const words = wordsOf(body);
    if (words.length === 0) continue;
    const last = i === parts.length - 1;
    const stillTyping = last && !/\s$/.test(text) && !(isPhrase && body.length > 1 && body.endsWith('"'));
    if (isPhrase) {
      terms.push({ words, prefix: stillTyping && !negated, negated });
    } else {
      // `foo.bar` is two words to the tokenizer: each becomes its own term.
      for (const [j, w] of words.entries()) {
        terms.push({ words: [w], prefix: stillTyping && !negated && j === words.length - 1, negated });
      }
    }
  }
  const positive = terms.filter((t) => !t.negated);
  if (positive.length === 0) return { terms, match: "" };
  const quote = (t: QueryTerm) => `"${t.words.join(" ")}"${t.prefix ? "*" : ""}`;
  let match = positive.map(quote).join(" AND ");
  for (const t of terms.filter((t) => t.negated)) match = `(${match}) NOT ${quote(t)}`;
  return { terms, match };
}

/** The trigrams of a word, as FTS5's trigram tokenizer makes them (case-folded). */
export function trigramsOf(word: string): string[] {
  const w = [...word.toLowerCase()];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= w.length; i++) out.add(w.slice(i, i + 3).join(""));
  return [...out];
}

/**
 * The trigram-index expression for names within a typo of every one of `words`: each word's
 * trigrams, all but up to three adjacent ones (what one changed, added or dropped letter breaks),
 * but never fewer than 40% of them (less could not reach the similarity the searcher asks for).
 * An AND of several trigrams matches few names, so the index can walk its matches newest-first and
 * stop at a page, with no ranking (an OR of single trigrams matched half of a million names).
 */
export function typoMatch(words: string[]): string {
  return words.map((word) => {
    const grams = trigramsOf(word);
    const missing = Math.min(3, grams.length - Math.ceil(0.4 * grams.length));
    const alternatives: string[] = [];
    for (let at = 0; at + missing <= grams.length; at++) {
      const kept = grams.filter((_, i) => i < at || i >= at + missing);
      alternatives.push(`(${kept.map((g) => `"${g}"`).join(" AND ")})`);
    }
    return `(${alternatives.join(" OR ")})`;
  }).join(" AND ");
}

/** Jaccard similarity of two words' trigram sets: 1 for equal words, 0 for nothing shared. */
export function trigramSimilarity(a: string, b: string): number {
  const ta = new Set(trigramsOf(a));
  const tb = new Set(trigramsOf(b));
  if (ta.size === 0 || tb.size === 0) return a.toLowerCase() === b.toLowerCase() ? 1 : 0;
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared);
}
