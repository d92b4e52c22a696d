/**
 * Summaries of the `.cpuprofile` (Chrome format) that `bun --cpu-prof` writes. Bun's sampler
 * records a sample only while the VM runs (JS, or a native function JS called), one per
 * interval, so sample count × interval ≈ CPU time spent from JS; event-loop work that never
 * enters JS (socket reads, TLS record decryption before a `data` callback) is not sampled.
 * A native leaf (e.g. `write`) is labelled with its nearest JS caller, so `write ← data
 * shared/mux/socket.ts` tells which write it was.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  samples: number;
  /** ≈ CPU ms spent in JS and natives called from JS, within the window. */
  sampledMs: number;
  /** Self time by function (native leaves labelled with their JS caller), busiest first. */
  functions: { name: string; ms: number; share: number }[];
  /** Self time by source file of the nearest JS frame, busiest first. */
  files: { file: string; ms: number; share: number }[];
}

export function summarizeProfile(
  path: string,
  repoRoot: string,
  { fromMs = 0, toMs = Infinity, intervalMs = 1 }: { fromMs?: number; toMs?: number; intervalMs?: number } =
    {},
): ProfileSummary {
  const p = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const short = (url: string) => url.replace("file://", "").replace(`${repoRoot}/`, "");
  const label = (id: number): { name: string; file: string } => {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || "(anonymous)";
    if (n.callFrame.url) {
      return {
        name: `${name} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
        file: short(n.callFrame.url),
      };
    }
    // A native leaf: find the nearest frame with a source location.
    for (let q = parent.get(id); q !== undefined; q = parent.get(q)) {
      const f = byId.get(q)!.callFrame;
      if (f.url) {
        return { name: `${name} ← ${f.functionName || "(anonymous)"} ${short(f.url)}`, file: short(f.url) };
      }
    }
    return { name: `${name} (native)`, file: "(native, no JS caller)" };
  };
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let t = p.startTime; // µs since the epoch
  let count = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t / 1000 < fromMs || t / 1000 > toMs) continue;
    count++;
    const { name, file } = label(p.samples[i]);
    fns.set(name, (fns.get(name) ?? 0) + intervalMs);
    files.set(file, (files.get(file) ?? 0) + intervalMs);
  }
  const total = count * intervalMs;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    samples: count,
    sampledMs: total,
    functions: sorted(fns).map(([name, ms]) => ({ name, ms, share: ms / total })),
    files: sorted(files).map(([file, ms]) => ({ file, ms, share: ms / total })),
  };
}
