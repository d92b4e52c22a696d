/**
 * WebDAV through a relay with real clients (issue #24): Debian's litmus suite (basic, copymove,
 * props, locks, http) and rclone (copy in and out byte-exact, bisync both ways) against
 * `https://alice.<zone>:<relay port>/dav/`, signed in with an app password.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { createAppPassword, davUrl, rcloneFor, runAsClient } from "./dav_helpers.ts";

let h: Harness;
let password: string;
let work: string;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
  password = await createAppPassword(h, "alice", "litmus");
  work = mkdtempSync(join(tmpdir(), "hearth-dav-work-"));
});
afterAll(async () => {
  await h?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("litmus: every group passes through the relay", async () => {
  const { out } = await runAsClient(h, "alice", ["litmus", "-k", davUrl(h, "alice"), "alice", password]);
  const summaries = [...out.matchAll(/summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/g)]
    .map((m) => ({ group: m[1], run: Number(m[2]), passed: Number(m[3]), failed: Number(m[4]) }));
  if (summaries.some((s) => s.failed > 0) || summaries.length !== 5) console.log(out);
  expect(summaries.map((s) => s.group)).toEqual(["basic", "copymove", "props", "locks", "http"]);
  for (const s of summaries) expect([s.group, s.failed]).toEqual([s.group, 0]);
});

test("rclone copies a tree in and out byte-exact and bisync carries changes both ways", async () => {
  const rclone = await rcloneFor(h, "alice", password, work);
  const src = join(work, "src");
  mkdirSync(join(src, "deep", "er"), { recursive: true });
  const files: Record<string, Uint8Array> = {
    "a.txt": new TextEncoder().encode("alpha\n"),
    "deep/b.bin": crypto.getRandomValues(new Uint8Array(3 * 1024 * 1024 + 17)),
    "deep/er/c d.txt": new TextEncoder().encode("gamma with a space\n"),
    "empty.txt": new Uint8Array(0),
  };
  for (const [p, bytes] of Object.entries(files)) writeFileSync(join(src, p), bytes);
  const up = await rclone("copy", src, "hearth:rc/in");
  expect([up.code, up.out]).toEqual([0, up.out]);
  const down = await rclone("copy", "hearth:rc/in", join(work, "out"));
  expect(down.code).toBe(0);
  for (const [p, bytes] of Object.entries(files)) {
    expect([p, Buffer.compare(readFileSync(join(work, "out", p)), Buffer.from(bytes))]).toEqual([p, 0]);
  }

  const local = join(work, "local");
  mkdirSync(local);
  writeFileSync(join(local, "a.txt"), "one\n");
  writeFileSync(join(local, "b.txt"), "two\n");
  const wd = join(work, "bisync-wd");
  expect((await rclone("mkdir", "hearth:rc/bi")).code).toBe(0);
  const first = await rclone("bisync", local, "hearth:rc/bi", "--resync", "--workdir", wd);
  expect([first.code, first.out]).toEqual([0, first.out]);
  // bisync tells changes by modification time (to the second): the changed files get a later one,
  // whatever the clock did while the test ran.
  const later = new Date(Date.now() + 120_000);
  writeFileSync(join(local, "a.txt"), "changed locally\n");
  utimesSync(join(local, "a.txt"), later, later);
  writeFileSync(join(local, "new-local.txt"), "made here\n");
  const remote = join(work, "remote-side");
  mkdirSync(remote);
  writeFileSync(join(remote, "b.txt"), "changed remotely\n");
  utimesSync(join(remote, "b.txt"), later, later);
  writeFileSync(join(remote, "new-remote.txt"), "made there\n");
  expect((await rclone("copyto", join(remote, "b.txt"), "hearth:rc/bi/b.txt")).code).toBe(0);
  expect((await rclone("copyto", join(remote, "new-remote.txt"), "hearth:rc/bi/new-remote.txt")).code).toBe(
    0,
  );
  const second = await rclone("bisync", local, "hearth:rc/bi", "--workdir", wd);
  expect([second.code, second.out]).toEqual([0, second.out]);
  expect(readFileSync(join(local, "b.txt"), "utf8")).toBe("changed remotely\n");
  expect(readFileSync(join(local, "new-remote.txt"), "utf8")).toBe("made there\n");
  const cat = await rclone("cat", "hearth:rc/bi/a.txt");
  expect(cat.out).toBe("changed locally\n");
  expect((await rclone("cat", "hearth:rc/bi/new-local.txt")).out).toBe("made here\n");
});
