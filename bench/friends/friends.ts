/**
 * A friend's server must add nothing to my own pages (issue #17; Nextcloud stalls ~10 s per request
 * while a federated peer is down: nextcloud/server#42027, #25647). alice and bob are friends and
 * share with each other; alice's share task pings bob every second. alice's own pages — Browse
 * (Home) and Shared with me — are fetched through the relay, REQUESTS per page on one kept-alive
 * connection (curl, many URLs), in four legs of the same run:
 *   up        bob's server running
 *   hung      bob's process stopped with SIGSTOP: his tunnel stays up, his server never answers
 *             (every ping waits for its 3 s time box)
 *   up again  SIGCONT, bob answers again
 *   down      bob's server stopped: no relay carries it
 * Printed: p50 and p99 per page and leg, and the ratio of each leg to "up".
 *
 *   node_modules/.bin/bun bench/friends/friends.ts
 *   BENCH_REQUESTS=100 node_modules/.bin/bun bench/friends/friends.ts   # quick
 */
import { startHarness, ZONE } from "../../testing/harness.ts";
import { TEST_OWNER_TOKEN } from "../../testing/userserver_helpers.ts";
import { askFriend, asOwner, friendsReady } from "../../testing/friends_helpers.ts";
import { fmt, onCleanup, percentile, ratio, runBench, table } from "../relay/_lib.ts";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const PAGES = ["/browse", "/shared"];

await runBench("friends", 15 * 60_000, async () => {
  console.log(
    `alice's pages through a relay while bob is up, hung and down: ${REQUESTS} requests per page and leg`,
  );
  const h = await startHarness({ relays: 1, users: ["alice", "bob"] });
  onCleanup(() => h.stop());
  await friendsReady(h, ["alice", "bob"]);
  await askFriend(h, "alice", "bob");
  await asOwner(h, "bob", "/friends/alice/accept", {});
  // Something on each side to list: 20 folders at alice's, bob shares 20 with alice.
  for (let i = 0; i < 20; i++) {
    await asOwner(h, "alice", "/browse/root/mkdir", { name: `Alice ${i}` });
    await asOwner(h, "bob", "/browse/root/mkdir", { name: `Bob ${i}` });
  }
  const bobHome = (await asOwner(h, "bob", "/browse")).text;
  for (const m of bobHome.matchAll(/href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>Bob \d+</g)) {
    await asOwner(h, "bob", `/friends/share/${m[1]}`, { principal: "user:alice", access: "read" });
  }
  await h.waitFor(
    "bob's shares at alice's",
    async () => (await asOwner(h, "alice", "/shared")).text.includes(">Bob 19<"),
  );

  const r = h.relay("relay-a");
  const host = `alice.${ZONE}`;
  const origin = `https://${host}:${r.browserPort}`;
  /** p50 and p99 (ms) of REQUESTS fetches of `path` on one connection. */
  const measure = (path: string) => {
    const args = [
      "-sS",
      "--max-time",
      "600",
      "--cacert",
      h.caFile,
      "--resolve",
      `${host}:${r.browserPort}:${r.browserAddresses[0]}`,
      "-H",
      `cookie: __Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
    ];
    for (let i = 0; i < REQUESTS; i++) {
      args.push("-o", "/dev/null", "-w", "%{http_code} %{time_total}\\n", `${origin}${path}`);
    }
    const p = Bun.spawnSync(["curl", ...args]);
    if (p.exitCode !== 0) throw new Error(`curl failed: ${p.stderr.toString()}`);
    const ms = p.stdout.toString().trim().split("\n").map((l) => {
      const [status, t] = l.split(" ");
      if (status !== "200") throw new Error(`${path}: HTTP ${status}`);
      return Number(t) * 1000;
    });
    return { p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms) };
  };
  const results: Record<string, Record<string, { p50: number; p99: number; max: number }>> = {};
  const leg = (name: string) => {
    results[name] = Object.fromEntries(PAGES.map((p) => [p, measure(p)]));
  };
  const bobStatus = async () =>
    /data-friend="bob"[\s\S]*?(online|offline)/.exec((await asOwner(h, "alice", "/shared")).text)?.[1];

  leg("up");
  const bob = h.processes.get("user:bob")!;
  process.kill(bob.pid, "SIGSTOP");
  // The share task's next pings wait out their time box; measure while they do.
  await h.waitFor("bob seen offline (hung)", async () => (await bobStatus()) === "offline", 60_000);
  leg("hung");
  process.kill(bob.pid, "SIGCONT");
  await h.waitFor("bob online again", async () => (await bobStatus()) === "online", 60_000);
  leg("up again");
  await bob.stop();
  await h.waitFor("bob seen offline (down)", async () => (await bobStatus()) === "offline", 60_000);
  leg("down");

  const rows: (string | number)[][] = [[
    "page",
    "leg",
    "p50 ms",
    "p99 ms",
    "max ms",
    "p50 vs up",
    "p99 vs up",
  ]];
  for (const page of PAGES) {
    const up = results.up![page]!;
    for (const [name, byPage] of Object.entries(results)) {
      const x = byPage[page]!;
      rows.push([
        page,
        name,
        fmt(x.p50, 2),
        fmt(x.p99, 2),
        fmt(x.max, 1),
        ratio(x.p50, up.p50),
        ratio(x.p99, up.p99),
      ]);
    }
  }
  console.log(table(rows));
});
