/**
 * `npm run dev` itself: it prints the URL once everything is healthy, reuses `.data/` on a second
 * start, recreates it after deletion, and Ctrl-C (SIGINT) leaves no process or port behind.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPath, repoRoot } from "../tools/stack/paths.ts";

const dataDir = join(mkdtempSync(join(tmpdir(), "hearth-dev-")), "data");
// Far from the dev ports, so this runs while a real `npm run dev` is up.
const offset = 20_000 + Math.floor(Math.random() * 5_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function runDevUntilReady() {
  const proc = Bun.spawn([bunPath, "tools/dev.ts", "--data", dataDir, "--port-offset", String(offset)], {
    cwd: repoRoot,
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const reader = proc.stdout.getReader();
  const deadline = Date.now() + 60_000;
  while (!out.includes("Press Ctrl-C") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  return { proc, out, reader };
}

async function stopWithCtrlC(run: Awaited<ReturnType<typeof runDevUntilReady>>) {
  run.proc.kill("SIGINT");
  const drain = (async () => {
    for (;;) {
      const { done } = await run.reader.read();
      if (done) return;
    }
  })();
  const code = await run.proc.exited;
  await drain;
  return code;
}

function processesUsing(dir: string): string {
  const r = Bun.spawnSync(["pgrep", "-af", dir]);
  return r.stdout.toString().split("\n").filter((l) => l && !l.includes("pgrep")).join("\n");
}

function portFree(host: string, port: number): boolean {
  try {
    Bun.listen({ hostname: host, port, socket: { data() {} } }).stop(true);
    return true;
  } catch {
    return false;
  }
}

test(
  "dev starts, prints the URL, reuses .data/, recreates it, and Ctrl-C leaves nothing behind",
  async () => {
    const first = await runDevUntilReady();
    expect(first.out).toContain("Hearth is running.");
    expect(first.out).toContain(`https://local.alice.hearth.localhost:${9443 + offset}/`);
    // Through a pipe (as with `npm run dev | tee`): readable log lines, not JSON.
    expect(first.out).toMatch(/ INFO {2}/);
    expect(first.out).not.toMatch(/^\S+\s+\{"time"/m);
    const ca = readFileSync(join(dataDir, "ca", "ca.crt"), "utf8");
    for (
      const url of [
        `https://127.0.0.1:${8787 + offset}/healthz`,
        `https://127.0.0.11:${8444 + offset}/healthz`,
        `https://127.0.0.12:${8444 + offset}/healthz`,
        `https://127.0.0.1:${9443 + offset}/healthz`,
      ]
    ) {
      expect((await fetch(url, { tls: { ca } })).status).toBe(200);
    }
    const aliceKey = readFileSync(join(dataDir, "users", "alice", "tls.key"), "utf8");
    const relayCert = readFileSync(join(dataDir, "relay-a", "tls.crt"), "utf8");
    expect(await stopWithCtrlC(first)).toBe(0);
    expect(processesUsing(dataDir)).toBe("");
    for (
      const [host, port] of [["127.0.0.1", 8787], ["127.0.0.11", 8443], ["127.0.0.1", 8443], [
        "127.0.0.12",
        8444,
      ], ["127.0.0.1", 9443]] as const
    ) {
      expect(portFree(host, port + offset)).toBe(true);
    }

    const second = await runDevUntilReady();
    expect(second.out).toContain("Hearth is running.");
    expect(second.out).not.toContain("relays marked dead"); // a restart on the same .data/ is a clean start
    expect(second.out).toContain(`${join(dataDir, "cloud", "mail")}/`); // where a reset's mail lands
    expect(readFileSync(join(dataDir, "users", "alice", "tls.key"), "utf8")).toBe(aliceKey);
    expect(readFileSync(join(dataDir, "relay-a", "tls.crt"), "utf8")).toBe(relayCert);
    expect(await stopWithCtrlC(second)).toBe(0);

    rmSync(dataDir, { recursive: true, force: true });
    const third = await runDevUntilReady();
    expect(third.out).toContain("Hearth is running.");
    expect(readFileSync(join(dataDir, "users", "alice", "tls.key"), "utf8")).not.toBe(aliceKey);
    expect(await stopWithCtrlC(third)).toBe(0);
    expect(processesUsing(dataDir)).toBe("");
  },
  180_000,
);
