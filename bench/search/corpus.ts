/**
 * A deterministic corpus for the search benchmark: words drawn from a Zipf-like distribution over
 * a made-up vocabulary (so a few words are in most documents, as in real text), written as .txt,
 * .md, .pdf and .docx files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeDocx, makePdf } from "../../userserver/search/_fixtures.ts";
import { rng } from "../_rng.ts";

export { rng };

const SYLLABLES = "ka lo mi ne ru sa to vi ze ba de fo gu hi ja ko lu ma no pe ri su te vo wa yo".split(" ");

export function vocabulary(size: number, seed = 1): string[] {
  const r = rng(seed);
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(r() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Word i is drawn with weight 1/(i+1): word 0 is in most documents of a few hundred words. */
export function sampler(vocab: string[], r: () => number): () => string {
  const cumulative: number[] = [];
  let sum = 0;
  for (let i = 0; i < vocab.length; i++) cumulative.push(sum += 1 / (i + 1));
  return () => {
    const x = r() * sum;
    let lo = 0, hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo]!;
  };
}

export interface CorpusFile {
  rel: string;
  kind: "txt" | "md" | "pdf" | "docx";
}

/** Writes `count` documents under `dir` in folders of 1,000; returns their relative paths. */
export async function writeCorpus(dir: string, count: number, seed = 42): Promise<CorpusFile[]> {
  const r = rng(seed);
  const word = sampler(vocabulary(20_000), r);
  const text = (n: number) => Array.from({ length: n }, word).join(" ");
  const files: CorpusFile[] = [];
  for (let i = 0; i < count; i++) {
    const folder = `set-${String(Math.floor(i / 1000)).padStart(3, "0")}`;
    if (i % 1000 === 0) mkdirSync(join(dir, folder), { recursive: true });
    const x = r();
    const kind: CorpusFile["kind"] = x < 0.7 ? "txt" : x < 0.85 ? "md" : x < 0.95 ? "pdf" : "docx";
    const rel = `${folder}/doc-${i}.${kind}`;
    const words = 150 + Math.floor(r() * 450);
    if (kind === "txt") writeFileSync(join(dir, rel), lines(text(words)));
    else if (kind === "md") writeFileSync(join(dir, rel), `# ${text(4)}\n\n${lines(text(words))}\n`);
    else if (kind === "pdf") {
      writeFileSync(join(dir, rel), makePdf([lines(text(words / 2)), lines(text(words / 2))]));
    } else writeFileSync(join(dir, rel), await makeDocx(lines(text(words)).split("\n")));
    files.push({ rel, kind });
  }
  return files;
}

function lines(s: string): string {
  return s.replace(/((?:\S+\s){12})/g, "$1\n").replace(/ \n/g, "\n");
}
