/**
 * The soak's engine, shared by the 10-minute run (bench/soak/soak.ts) and the short one in
 * `npm test` (testing/soak_short.test.ts). On a stack with 2 relays and alice (restarted by the
 * stack if she dies, as in dev), for `seconds`:
 *   browsers   curl GETs of /healthz and /_bytes/<n> through a random relay, several at once;
 *   uploads    tus uploads (0 bytes to 8 MiB) as alice's browser, each PATCH through a random relay,
 *              some cut off mid-body on purpose; after any failure the upload asks its offset (HEAD)
 *              and resumes;
 *   resets     real ClientHellos for alice followed by a TCP reset, through both relays;
 *   chaos      relays and the cloud tier SIGKILLed and started again (random, or a fixed plan).
 * A kill window runs from the kill until alice holds both tunnels again (event-based) plus a
 * grace; a request that fails overlapping a window is expected, any other failure counts.
 */
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Harness } from "../../testing/harness.ts";
import { ZONE } from "../../testing/harness.ts";
import { curlThrough, realClientHello } from "../../testing/relay_helpers.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "../../testing/userserver_helpers.ts";
import { rssKiB } from "../relay/_lib.ts";

export interface SoakOptions {
  seconds: number;
  /** Fixed kills (ms from the start, victim), or undefined for random ones every 15–40 s. */
  plan?: { atMs: number; victim: string }[];
  browsers?: number;
  uploaders?: number;
  /** After a window's tunnels are back, failures still count as inside it for this long. */
  graceMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seconds: number;
  requests: number;
  failures: { at: number; via: string; what: string }[];
  failuresInWindows: number;
  kills: { victim: string; downMs: number }[];
  uploads: { finished: number; bytes: number; resumed: number; cutOnPurpose: number; wrong: string[] };
  unfinished: string[];
  blobs: { checked: number; bad: string[] };
  userServerRestarts: number;
  rss: { process: string; startKiB: number; endKiB: number }[];
}

const RELAYS = ["relay-a", "relay-b"];
const MiB = 1024 * 1024;
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Gives alice the test owner cookie (uploads are the owner's) and waits for both tunnels. */
export async function prepareSoak(h: Harness): Promise<void> {
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN, enableByteStream: true });
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2, 60_000);
}

export async function runSoak(h: Harness, o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const graceMs = o.graceMs ?? 5_000;
  const t0 = Date.now();
  const until = t0 + o.seconds * 1000;
  const windows: { from: number; to: number }[] = [];
  const inWindow = (from: number, to: number) => windows.some((w) => from <= w.to + graceMs && to >= w.from);
  const rssStart = new Map<string, number>();
  for (const [name, p] of h.processes) rssStart.set(name, rssKiB(p.pid));
  const report: SoakReport = {
    seconds: 0,
    requests: 0,
    failures: [],
    failuresInWindows: 0,
    kills: [],
    uploads: { finished: 0, bytes: 0, resumed: 0, cutOnPurpose: 0, wrong: [] },
    unfinished: [],
    blobs: { checked: 0, bad: [] },
    userServerRestarts: 0,
    rss: [],
  };
  const failed = (from: number, via: string, what: string) => {
    if (inWindow(from, Date.now())) report.failuresInWindows++;
    else report.failures.push({ at: from - t0, via, what });
  };

  async function browser(): Promise<void> {
    while (Date.now() < until) {
      const relay = pick(RELAYS);
      const path = Math.random() < 0.7 ? "/healthz" : `/_bytes/${1 + Math.floor(Math.random() * 4_000_000)}`;
      const from = Date.now();
      const { code, err } = await curlThrough(h, relay, path);
      report.requests++;
      if (code !== "200") failed(from, relay, `${path} → ${code} ${err}`);
      await sleep(50);
    }
  }

  async function resets(): Promise<void> {
    const hello = await realClientHello();
    while (Date.now() < until) {
      const relay = h.relay(pick(RELAYS));
      try {
        const s = await Bun.connect({
          hostname: relay.browserAddresses[0],
          port: relay.browserPort,
          socket: { data() {}, error() {} },
        });
        s.write(hello);
        await sleep(Math.random() * 5);
        s.terminate();
      } catch { /* the relay is down: a kill window */ }
      await sleep(20);
    }
  }

  // ---- uploads --------------------------------------------------------------------------------
  const ownOrigin = `https://alice.${ZONE}:${h.user("alice").publicPort}`;
  /** A request to alice through `relayId`, as her signed-in browser sends it. */
  const viaRelay = (
    relayId: string,
    path: string,
    init: RequestInit & { headers?: Record<string, string> },
  ) => {
    const r = h.relay(relayId);
    return fetch(`https://${r.browserAddresses[0]}:${r.browserPort}${path}`, {
      ...init,
      headers: {
        host: `alice.${ZONE}:${r.browserPort}`,
        cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
        origin: ownOrigin,
        "tus-resumable": "1.0.0",
        ...init.headers,
      },
      signal: init.signal ?? AbortSignal.timeout(30_000),
      tls: { ca: h.caPem, serverName: `alice.${ZONE}` },
    } as RequestInit);
  };
  const expected = new Map<string, { sha: string; size: number }>();

  async function uploadOne(n: number, worker: number): Promise<void> {
    const r = Math.random();
    const size = r < 0.1
      ? 0
      : r < 0.5
      ? Math.floor(Math.random() * 64 * 1024)
      : MiB + Math.floor(Math.random() * 7 * MiB);
    const data = crypto.getRandomValues(new Uint8Array(size));
    const sha = createHash("sha256").update(data).digest("hex");
    const name = `soak-${worker}-${n}.bin`;
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const hardStop = until + 120_000;
    let location: string | undefined;
    while (!location) {
      if (Date.now() > hardStop) return void report.unfinished.push(`${name}: never created`);
      const via = pick(RELAYS);
      const from = Date.now();
      try {
        report.requests++;
        const res = await viaRelay(via, "/upload/tus", {
          method: "POST",
          headers: {
            "upload-length": String(size),
            "upload-metadata": `filename ${b64(name)},parent ${b64("root")}`,
          },
        });
        if (res.status === 201) {
          location = res.headers.get("location")!;
          if (size === 0) return finished(name, res, sha, size);
        } else failed(from, via, `create ${name} → ${res.status} ${await res.text()}`);
      } catch (e) {
        failed(from, via, `create ${name}: ${(e as Error).message}`);
        await sleep(500);
      }
    }
    let offset = 0;
    let needHead = false;
    while (Date.now() < hardStop) {
      const via = pick(RELAYS);
      const from = Date.now();
      try {
        report.requests++;
        if (needHead) {
          const head = await viaRelay(via, location, { method: "HEAD" });
          if (head.status !== 200) {
            failed(from, via, `HEAD ${name} → ${head.status}`);
            await sleep(500);
            continue;
          }
          offset = Number(head.headers.get("upload-offset"));
          if (offset === size) {
            // The last PATCH's answer was lost; the upload is complete on the server.
            return finished(name, head, sha, size);
          }
          report.uploads.resumed++;
          needHead = false;
        }
        const end = Math.min(size, offset + MiB);
        // Now and then cut a PATCH off mid-body on purpose (a closed laptop lid).
        const cut = Math.random() < 0.1 && end - offset > 1024;
        const abort = new AbortController();
        const body = cut ? stalling(data.subarray(offset, end), abort) : data.subarray(offset, end);
        if (cut) report.uploads.cutOnPurpose++;
        const res = await viaRelay(via, location, {
          method: "PATCH",
          headers: { "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
          body,
          signal: cut ? abort.signal : undefined,
        });
        if (res.status === 204) {
          offset = Number(res.headers.get("upload-offset"));
          if (offset === size) return finished(name, res, sha, size);
        } else {
          failed(from, via, `PATCH ${name} @${offset} → ${res.status} ${await res.text()}`);
          needHead = true;
          await sleep(300);
        }
      } catch (e) {
        const aborted = (e as Error).name === "AbortError";
        if (!aborted) failed(from, via, `PATCH ${name} @${offset}: ${(e as Error).message}`);
        needHead = true;
        await sleep(aborted ? 0 : 300);
      }
    }
    report.unfinished.push(`${name}: stopped at ${offset} of ${size}`);
  }

  function finished(name: string, res: Response, sha: string, size: number): void {
    const id = res.headers.get("hearth-item-id");
    if (!id) return void report.uploads.wrong.push(`${name}: no Hearth-Item-Id in the final answer`);
    expected.set(id, { sha, size });
    report.uploads.finished++;
    report.uploads.bytes += size;
  }

  async function uploader(worker: number): Promise<void> {
    for (let n = 0; Date.now() < until; n++) await uploadOne(n, worker);
  }

  // ---- chaos ------------------------------------------------------------------------------------
  async function kill(victim: string): Promise<void> {
    const w = { from: Date.now(), to: Infinity };
    windows.push(w);
    await h.processes.get(victim)?.kill();
    await sleep(2_000 + Math.random() * 3_000);
    try {
      await h.start(victim);
      rssStart.set(victim, rssKiB(h.processes.get(victim)!.pid));
      // The window closes when alice holds both tunnels again, however long that took.
      await h.waitFor(
        "alice's two tunnels after a restart",
        async () => (await h.tunnelsOf("alice")).length === 2,
        90_000,
      );
    } catch (e) {
      log(`  could not bring ${victim} back: ${(e as Error).message}`);
    }
    w.to = Date.now();
    report.kills.push({ victim, downMs: w.to - w.from });
    log(`  chaos: ${victim} killed, back with both tunnels after ${((w.to - w.from) / 1000).toFixed(1)} s`);
  }

  async function chaos(): Promise<void> {
    if (o.plan) {
      for (const step of o.plan) {
        await sleep(Math.max(0, t0 + step.atMs - Date.now()));
        await kill(step.victim);
      }
      return;
    }
    while (Date.now() + 45_000 < until) {
      await sleep(15_000 + Math.random() * 25_000);
      await kill(pick([...RELAYS, "cloud"]));
    }
  }

  await Promise.all([
    ...Array.from({ length: o.browsers ?? 3 }, () => browser()),
    ...Array.from({ length: o.uploaders ?? 2 }, (_, i) => uploader(i)),
    resets(),
    chaos(),
  ]);
  report.seconds = (Date.now() - t0) / 1000;

  // ---- the books --------------------------------------------------------------------------------
  const db = new Database(join(h.dirs.users.alice, "userserver.db"), { readonly: true });
  try {
    const row = db.query<{ blob_hash: string | null; size: number }, [string]>(
      "select blob_hash, size from items where id = ?",
    );
    for (const [id, want] of expected) {
      const got = row.get(id);
      if (!got || got.size !== want.size || got.blob_hash !== want.sha) {
        report.uploads.wrong.push(
          `${id}: stored ${got?.blob_hash ?? "nothing"} (${got?.size}), sent ${want.sha} (${want.size})`,
        );
      }
    }
  } finally {
    db.close();
  }
  report.blobs = badBlobs(join(h.dirs.users.alice, "blobs"));
  report.userServerRestarts = h.output.filter((l) => l.startsWith("stack: user:alice restarted")).length;
  report.rss = [...h.processes].map(([name, p]) => ({
    process: name,
    startKiB: rssStart.get(name) ?? 0,
    endKiB: rssKiB(p.pid),
  }));
  return report;
}

/** A body that sends its first half, then stalls until `abort` fires (which it then does). */
function stalling(bytes: Uint8Array, abort: AbortController): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    async pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)));
        return;
      }
      await sleep(200);
      abort.abort();
      c.error(new DOMException("cut off on purpose", "AbortError"));
    },
  });
}

function badBlobs(dir: string): { checked: number; bad: string[] } {
  const bad: string[] = [];
  let checked = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^[0-9a-f]{64}$/.test(n)) {
        checked++;
        if (createHash("sha256").update(readFileSync(p)).digest("hex") !== n) bad.push(p);
      }
    }
  };
  walk(dir);
  return { checked, bad };
}
