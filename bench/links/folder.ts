/**
 * A folder link to a 10,000-item folder: the visitor's first page against the owner's first page
 * of the same folder, in the same run (#16 goal: the guest within 1.2× of the owner). Both through
 * the relayed app (`app.request`, no network), full pages, sorted by name; rounds alternate owner
 * and guest so machine noise hits both, and the spread over rounds is printed.
 *
 *   bun bench/links/folder.ts [--items=10000] [--runs=200] [--rounds=5]
 */
import { bigFolderServer } from "../files/_big_folder.ts";

const arg = (k: string, d: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${k}=`))?.split("=")[1] ?? d);
const N = arg("items", 10_000);
const RUNS = arg("runs", 200);
const ROUNDS = arg("rounds", 5);
const TOKEN = "bench-owner-token-0123456789abcdefghij";
const ORIGIN = "https://alice.hearth.localhost";
const { s, folder, stop } = await bigFolderServer(N, TOKEN);
const owner = { cookie: `__Host-hearth-test-owner=${TOKEN}` };
const made = await s.relayedApp.request(`${ORIGIN}/api/links`, {
  method: "POST",
  headers: { ...owner, origin: ORIGIN, "content-type": "application/json" },
  body: JSON.stringify({ itemId: folder.id, label: "Big" }),
});
const { token } = (await made.json()).link;

async function p50(path: string, headers: Record<string, string>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < RUNS + 20; i++) {
    const a = performance.now();
    const r = await s.relayedApp.request(`${ORIGIN}${path}`, { headers });
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    await r.text();
    if (i >= 20) t.push(performance.now() - a);
  }
  t.sort((x, y) => x - y);
  return t[Math.floor(t.length / 2)]!;
}

console.log(`folder of ${N} files, first page (100 rows), ${RUNS} requests per round, ${ROUNDS} rounds\n`);
const ratios: number[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const o = await p50(`/browse/${folder.id}`, owner);
  // A visitor's browser: no cookies (the visit cookie is set on the first request; later ones skip it).
  const g = await p50(`/s/${token}`, {});
  ratios.push(g / o);
  console.log(
    `round ${r}: owner p50 ${o.toFixed(2)} ms   guest p50 ${g.toFixed(2)} ms   guest/owner ${
      (g / o).toFixed(2)
    }×`,
  );
}
ratios.sort((a, b) => a - b);
const median = ratios[Math.floor(ratios.length / 2)]!;
console.log(
  `\nguest/owner: median ${median.toFixed(2)}× (spread ${ratios[0]!.toFixed(2)}–${
    ratios.at(-1)!.toFixed(2)
  }×); goal ≤ 1.2×: ${median <= 1.2 ? "met" : "NOT met"}`,
);
await stop();
