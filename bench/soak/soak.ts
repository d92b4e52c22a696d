/**
 * Soak (not part of `npm test`; a short version is testing/soak_short.test.ts): 2 relays and alice,
 * driven for SOAK_SECONDS (default 600) by browsers, tus uploads and ClientHello-then-reset, while
 * relays and the cloud tier are killed and restarted at random (see soak_run.ts). Reports
 * user-server restarts, failures outside the kill windows, uploads whose stored bytes differ from
 * what was sent, blobs whose SHA-256 differs from their name, and RSS per process.
 *
 *   SOAK_SECONDS=600 node_modules/.bin/bun bench/soak/soak.ts
 */
import { startHarness } from "../../testing/harness.ts";
import { fmt, onCleanup, runBench, table } from "../relay/_lib.ts";
import { prepareSoak, runSoak } from "./soak_run.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);

const h = await startHarness({ relays: 2, users: ["alice"], restartUsers: true });
onCleanup(() => h.stop());
await prepareSoak(h);

await runBench("soak", (SECONDS + 300) * 1000, async () => {
  const r = await runSoak(h, { seconds: SECONDS, log: (l) => console.log(l) });
  console.log(
    `soak ran ${fmt(r.seconds)} s: ${r.requests} requests, ${r.kills.length} kills ` +
      `(${r.kills.map((k) => `${k.victim} ${fmt(k.downMs / 1000)} s`).join(", ")})`,
  );
  console.log(table([
    ["figure", "value"],
    ["user-server restarts", r.userServerRestarts],
    ["requests failed outside kill windows", r.failures.length],
    ["requests failed inside kill windows", r.failuresInWindows],
    ["uploads finished / MB", `${r.uploads.finished} / ${fmt(r.uploads.bytes / 1e6)}`],
    ["uploads resumed / cut on purpose", `${r.uploads.resumed} / ${r.uploads.cutOnPurpose}`],
    ["uploads stored wrong / unfinished", `${r.uploads.wrong.length} / ${r.unfinished.length}`],
    ["blobs checked / hash differs from name", `${r.blobs.checked} / ${r.blobs.bad.length}`],
  ]));
  for (const f of r.failures.slice(0, 10)) {
    console.log(`  failed at +${fmt(f.at / 1000)} s via ${f.via}: ${f.what}`);
  }
  for (const w of [...r.uploads.wrong, ...r.unfinished].slice(0, 10)) console.log(`  upload: ${w}`);
  console.log(table([
    ["process", "RSS start KiB", "RSS end KiB", "growth KiB"],
    ...r.rss.map((p) => [p.process, p.startKiB, p.endKiB, p.endKiB - p.startKiB]),
  ]));
});
