/**
 * 1,000 concurrent streams on one session over loopback TCP, each sending the same amount:
 * the slowest stream's rate vs the mean (fairness of the round-robin writer; goal ≥ 0.5×).
 * Run: bun bench/mux/fanout.ts
 */
import { fmtRate, muxPair, pumpStream, sinkStream } from "./_net.ts";

const STREAMS = 1000;
const PER = 1024 * 1024;
const chunk = crypto.getRandomValues(new Uint8Array(16 * 1024));

const sinks: Promise<{ bytes: number; end: number }>[] = [];
const pair = await muxPair({ server: { onStream: (s) => sinks.push(sinkStream(s)) } });
const t0 = performance.now();
const streams = Array.from({ length: STREAMS }, () => pair.client.openSync());
await Promise.all(streams.map((s) => pumpStream(s, PER, chunk)));
while (sinks.length < STREAMS) await Bun.sleep(1);
const ends = await Promise.all(sinks);
const rates = ends.map((e) => e.bytes / (e.end - t0)); // bytes per ms
const total = ends.reduce((n, e) => n + e.bytes, 0);
if (total !== STREAMS * PER) throw new Error("byte count mismatch");
const wall = Math.max(...ends.map((e) => e.end)) - t0;
const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
const slowest = Math.min(...rates);
console.log(
  `${STREAMS} streams × ${PER / 1024} KiB: ${fmtRate(total, wall)} aggregate, ${wall.toFixed(0)} ms`,
);
console.log(`per stream: mean ${(mean / 1e3).toFixed(2)} MB/s, slowest ${(slowest / 1e3).toFixed(2)} MB/s`);
console.log(`slowest / mean: ${(slowest / mean).toFixed(2)}× (goal ≥ 0.5×)`);
pair.stop();
