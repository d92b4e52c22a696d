/**
 * Kill the user server (SIGKILL) during an import and start it again: no partial blob is
 * visible, the job is marked interrupted and can be re-run, and nothing already imported is
 * stored twice. Talks to alice's relayed listener on its Unix socket (TLS ends there).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

let h: Harness;
let root: string;
let dir: string;
const FILES = 200;

beforeAll(async () => {
  h = await startHarness({ relays: 0, users: ["alice"] });
  dir = h.dirs.users.alice;
  root = join(h.baseDir, "import-root");
  mkdirSync(join(root, "Big"), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    // 64 KiB each, distinct content; two pairs of duplicates.
    const seed = i === 7 ? 3 : i === 9 ? 5 : i;
    writeFileSync(
      join(root, "Big", `f${String(i).padStart(3, "0")}.bin`),
      Buffer.alloc(65536, `file-${seed}-`),
    );
  }
  await restartUserWith(h, "alice", {
    importRoots: [root],
    importPauseMs: 40,
    testOwnerToken: TEST_OWNER_TOKEN,
  });
});
afterAll(async () => await h?.stop());

/** A request to alice's relayed listener, as the owner. */
/** alice's public origin, as her pages send it. */
const ownOrigin = () => {
  const port = h.user("alice").publicPort;
  return `https://alice.${ZONE}${port === 443 ? "" : `:${port}`}`;
};

function relayed(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`https://alice.${ZONE}${path}`, {
    ...init,
    redirect: "manual",
    unix: join(dir, "relayed.sock"),
    tls: { ca: h.caPem },
    headers: {
      cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
      origin: ownOrigin(), // a page of alice's own (the CSRF check wants it)
      ...(init.headers ?? {}),
    },
  } as RequestInit);
}

async function job(url: string): Promise<{ status: string; files: string }> {
  const html = await (await relayed(url)).text();
  return {
    status: /<div data-status="([a-z]+)"/.exec(html)?.[1] ?? "?",
    files: /data-figure="files">([^<]+)</.exec(html)?.[1]?.replace(/<!-- -->/g, "") ?? "?",
  };
}

function blobFiles(): string[] {
  const base = join(dir, "blobs");
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

test("SIGKILL mid-import, restart: no partial blob, job interrupted, re-run completes without duplicates", async () => {
  const start = await relayed("/add", {
    method: "POST",
    body: new URLSearchParams({ path: join(root, "Big") }),
  });
  expect(start.status).toBe(303);
  const url = start.headers.get("location")!;
  await h.waitFor("the import to be under way", async () => {
    const n = Number((await job(url)).files.split("/")[0]);
    return n >= 20;
  }, 60_000);
  await h.processes.get("user:alice")!.kill();

  await h.start("user:alice");
  // Every blob file present is complete and named by its own hash; no temp file survived.
  for (const f of blobFiles()) {
    if (f.startsWith(join(dir, "blobs", "tmp"))) throw new Error(`temp file survived: ${f}`);
    expect(createHash("sha256").update(readFileSync(f)).digest("hex")).toBe(f.split("/").at(-1)!);
  }
  const after = await job(url);
  expect(after.status).toBe("interrupted");
  const doneBefore = Number(after.files.split("/")[0]);
  // The report is flushed every 250 ms, so it may lag the live count a little; it is never ahead.
  expect(doneBefore).toBeGreaterThan(0);
  expect(doneBefore).toBeLessThan(FILES);

  const rerun = await relayed(`${url}/rerun`, { method: "POST" });
  expect(rerun.status).toBe(303);
  const url2 = rerun.headers.get("location")!;
  await h.waitFor("the re-run to finish", async () => (await job(url2)).status === "done", 90_000);
  expect((await job(url2)).files).toBe(`${FILES} / ${FILES}`);
  const page = await (await relayed(url2)).text();
  const already = Number(/<b>(\d+)<\/b><span>already stored/.exec(page.replace(/<!-- -->/g, ""))?.[1]);
  expect(already).toBeGreaterThanOrEqual(doneBefore); // the first run's files were recognised, not copied again

  // One item per file, one blob per distinct content.
  const folder = await (await relayed(`/browse`)).text();
  const bigId = /href="\/browse\/([^"]+)">Big</.exec(folder)?.[1];
  expect(bigId).toBeDefined();
  const listing = await (await relayed(`/browse/${bigId}?per=500`)).text(); // all on one page
  // Rows only (the page has other lists, such as the account menu).
  expect(listing.match(/class="fm-check"/g)?.length).toBe(FILES);
  expect(blobFiles().filter((f) => !f.startsWith(join(dir, "blobs", "tmp"))).length).toBe(FILES - 2);
});

test("a corrupt config: one clear sentence and the server does not start", async () => {
  await h.processes.get("user:alice")!.stop();
  writeFileSync(join(dir, "config.json"), '{ "version": 2, "name": "alice", ');
  const p = Bun.spawnSync([process.execPath, "userserver/main.ts", "serve", "--data-dir", dir], {
    cwd: join(import.meta.dir, ".."),
  });
  expect(p.exitCode).toBe(1);
  const err = p.stderr.toString().trim();
  expect(err.split("\n")).toHaveLength(1);
  expect(err).toMatch(/^userserver: Config file .*config\.json is not valid JSON/);
});
