/**
 * One stream through a userspace proxy adding 50 ms RTT (25 ms each way): receive-window
 * auto-tuning vs the fixed 256 KiB yamux window (which caps near 256 KiB / 50 ms ≈ 5 MB/s).
 * Run: bun bench/mux/delay.ts
 */
import { delayProxy, muxPair, pumpStream } from "./_net.ts";

const SECONDS = 6;
const chunk = crypto.getRandomValues(new Uint8Array(64 * 1024));

async function run(autoTune: boolean): Promise<{ rate: number; window: number; rtt?: number }> {
  let proxy: ReturnType<typeof delayProxy> | undefined;
  let received = 0;
  let window = 0;
  let t0 = 0;
  const pair = await muxPair({
    server: {
      autoTuneWindow: autoTune,
      onStream: (s) => {
        s.onData({
          data: (c) => {
            received += c.length;
            window = s.receiveWindow;
          },
        });
      },
    },
    via: (port) => Promise.resolve((proxy = delayProxy(port, 25)).port),
  });
  const s = await pair.client.open();
  t0 = performance.now();
  void pumpStream(s, 4 * 1024 * 1024 * 1024, chunk);
  await Bun.sleep(SECONDS * 1000);
  const ms = performance.now() - t0;
  const rate = received / ms / 1e3;
  const rtt = pair.server.stats().rttMs;
  s.reset();
  pair.stop();
  proxy!.stop();
  return { rate, window, rtt };
}

const fixed = await run(false);
console.log(`fixed 256 KiB window   ${fixed.rate.toFixed(1)} MB/s over ${SECONDS} s`);
const tuned = await run(true);
console.log(
  `auto-tuned window      ${tuned.rate.toFixed(1)} MB/s over ${SECONDS} s (window reached ${
    (tuned.window / 1024 / 1024).toFixed(1)
  } MiB, measured RTT ${tuned.rtt?.toFixed(1)} ms)`,
);
console.log(`ratio auto-tuned / fixed: ${(tuned.rate / fixed.rate).toFixed(1)}× (goal ≥ 4×)`);
