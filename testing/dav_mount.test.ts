/**
 * davfs2 (Debian) mounts alice's WebDAV through a relay and lists a 10,000-item folder (issue #24).
 * The folder is made by one WebDAV PUT and 9,999 rows pointing at the same blob (as copies are),
 * written straight into alice's database; the mount lives in a private mount namespace.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { createAppPassword, davUrl, runAsClient } from "./dav_helpers.ts";
import { randomToken } from "../shared/crypto/mod.ts";

const N = 10_000;
let h: Harness;
let password: string;
let work: string;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
  password = await createAppPassword(h, "alice", "davfs2");
  work = mkdtempSync(join(tmpdir(), "hearth-davfs-"));
  // The first file through WebDAV (it makes the folder's first item and the blob)…
  // curl answers *.localhost with 127.0.0.1 by itself: the relay's address is pinned with --resolve.
  const relay = h.relaySpecs[0];
  const pin = `${new URL(davUrl(h, "alice")).host}:${relay.browserAddresses[0]}`;
  const curl = (args: string[]) =>
    runAsClient(h, "alice", [
      "curl",
      "-sS",
      "--fail",
      "--cacert",
      h.caFile,
      "--resolve",
      pin,
      "-u",
      `alice:${password}`,
      ...args,
    ]);
  expect((await curl(["-X", "MKCOL", `${davUrl(h, "alice")}big`])).code).toBe(0);
  expect((await curl(["-T", "/dev/null", `${davUrl(h, "alice")}big/file-00000.txt`])).code).toBe(0);
  // …and the rest as copies of it, straight into the database.
  const db = new Database(join(h.dirs.users.alice, "userserver.db"));
  try {
    db.run("pragma busy_timeout = 10000");
    const folder = db.query<{ id: string }, []>("select id from items where name = 'big' and kind = 'folder'")
      .get()!;
    const first = db.query<{ blob_hash: string }, []>(
      "select blob_hash from items where name = 'file-00000.txt'",
    )
      .get()!;
    const insert = db.prepare(
      "insert into items (id, parent_id, name, kind, type, size, mtime, blob_hash, acl_set, created_at) values (?, ?, ?, 'file', 'text/plain', 0, ?, ?, 0, ?)",
    );
    db.transaction(() => {
      const now = Date.now();
      for (let i = 1; i < N; i++) {
        insert.run(
          randomToken(12),
          folder.id,
          `file-${String(i).padStart(5, "0")}.txt`,
          now,
          first.blob_hash,
          now,
        );
      }
      db.run("update blobs set refs = refs + ? where hash = ?", [N - 1, first.blob_hash]);
    })();
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await h?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("a davfs2 mount through the relay lists all 10,000 items and reads a file", async () => {
  const mnt = join(work, "mnt");
  mkdirSync(mnt);
  const secrets = join(work, "secrets");
  writeFileSync(secrets, `${davUrl(h, "alice")} alice ${password}\n`);
  chmodSync(secrets, 0o600);
  const conf = join(work, "davfs2.conf");
  // buf_size 64: davfs2 ≤ 1.7 answers readdir with EINVAL on Linux ≥ 6.16 with its default 16 KiB
  // buffer (alisarctl/davfs2#22); README says so for people mounting it.
  // mount.davfs reads the CA after dropping to its own user: a readable copy, in a searchable folder.
  chmodSync(work, 0o755);
  const ca = join(work, "ca.pem");
  copyFileSync(h.caFile, ca);
  chmodSync(ca, 0o644);
  writeFileSync(conf, `secrets ${secrets}\ntrust_ca_cert ${ca}\nask_auth 0\nuse_locks 0\nbuf_size 64\n`);
  const script = [
    `mount -t davfs -o conf=${conf} '${davUrl(h, "alice")}' ${mnt}`,
    `ls ${mnt}/big | wc -l`,
    `cat ${mnt}/big/file-09999.txt | wc -c`,
    `umount ${mnt}`,
  ].join(" && ");
  const { code, out } = await runAsClient(h, "alice", ["sh", "-c", script]);
  expect([code, out]).toEqual([0, out]);
  // umount.davfs adds a line of its own: the counts are the first two.
  const [listed, bytes] = out.trim().split("\n").map((l) => l.trim());
  expect(listed).toBe(String(N));
  expect(bytes).toBe("0");
});
