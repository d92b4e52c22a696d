/**
 * Throughput of one and of 8 mux streams over loopback TCP vs the same bytes on the raw socket.
 * Run: bun bench/mux/throughput.ts
 */
import { fmtRate, muxPair, pumpStream, sinkStream } from "./_net.ts";

const TOTAL = 1024 * 1024 * 1024;
const chunk = crypto.getRandomValues(new Uint8Array(64 * 1024));

async function raw(): Promise<number> {
  const done = Promise.withResolvers<number>();
  let got = 0;
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(_s, d) {
        got += d.length;
        if (got >= TOTAL) done.resolve(performance.now());
      },
    },
  });
  let left = TOTAL;
  let pending: Uint8Array | undefined;
  const pump = (s: import("bun").Socket) => {
    for (;;) {
      const buf = pending ?? (left > 0 ? chunk.subarray(0, Math.min(chunk.length, left)) : undefined);
      if (!buf) return;
      if (!pending) left -= buf.length;
      const n = s.write(buf);
      pending = n < buf.length ? buf.subarray(Math.max(n, 0)) : undefined;
      if (pending) return;
    }
  };
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port: listener.port,
    socket: { drain: pump, data() {} },
  });
  const t0 = performance.now();
  pump(sock);
  const t1 = await done.promise;
  sock.end();
  listener.stop(true);
  return t1 - t0;
}

async function mux(streams: number): Promise<number> {
  const sinks: Promise<{ bytes: number; end: number }>[] = [];
  const pair = await muxPair({ server: { onStream: (s) => sinks.push(sinkStream(s)) } });
  const t0 = performance.now();
  const per = TOTAL / streams;
  await Promise.all(
    Array.from({ length: streams }, async () => pumpStream(await pair.client.open(), per, chunk)),
  );
  while (sinks.length < streams) await Bun.sleep(1);
  const ends = await Promise.all(sinks);
  const t1 = Math.max(...ends.map((e) => e.end));
  if (ends.reduce((n, e) => n + e.bytes, 0) !== TOTAL) throw new Error("byte count mismatch");
  pair.stop();
  return t1 - t0;
}

const mb = TOTAL / 1024 / 1024;
const rawMs = await raw();
console.log(`raw TCP          ${mb} MiB  ${rawMs.toFixed(0)} ms  ${fmtRate(TOTAL, rawMs)}`);
for (const n of [1, 8]) {
  const ms = await mux(n);
  console.log(
    `mux ${n} stream${n > 1 ? "s" : " "}     ${mb} MiB  ${ms.toFixed(0)} ms  ${
      fmtRate(TOTAL, ms)
    }  ratio vs raw ${(rawMs / ms).toFixed(2)}×`,
  );
}
