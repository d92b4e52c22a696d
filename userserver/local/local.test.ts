/**
 * The local way in, piece by piece: /proc/net/tcp parsing (real table, random and truncated
 * input), the peer checks, the offline link's shares, and local sessions.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenLogin, redeemOpenLogin } from "./open_login.ts";
import { parseProcTcp, peerUid, procForms } from "./socket_owner.ts";
import { isLoopback, PeerVerdicts, refusePeer } from "./checks.ts";
import { LocalSessions } from "./sessions.ts";
import { safeNext } from "./routes.tsx";
import { openWithDefault } from "./open_with.ts";

const TABLE =
  `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:C350 0100007F:24D4 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1
   1: 0100007F:24D4 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 20 4 30 10 -1
`;

describe("socket owner", () => {
  test("the peer's row names its uid; our own row does not count", () => {
    expect(procForms("127.0.0.1", 9428).tcp).toEqual(["0100007F:24D4"]);
    const read = (p: string) => p.endsWith("/tcp") ? TABLE : "";
    expect(peerUid({ ip: "127.0.0.1", port: 50000 }, { ip: "127.0.0.1", port: 9428 }, read)).toBe(1000);
    expect(peerUid({ ip: "127.0.0.1", port: 50001 }, { ip: "127.0.0.1", port: 9428 }, read)).toBeUndefined();
    expect(peerUid({ ip: "10.0.0.1", port: 50000 }, { ip: "127.0.0.1", port: 9428 }, read)).toBeUndefined();
  });

  test("a real connection on this machine is ours", async () => {
    const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const client = await Bun.connect({ hostname: "127.0.0.1", port: server.port, socket: { data() {} } });
    try {
      const uid = peerUid({ ip: "127.0.0.1", port: client.localPort }, {
        ip: "127.0.0.1",
        port: server.port,
      });
      expect(uid).toBe(process.getuid!());
    } finally {
      client.end();
      server.stop(true);
    }
  });

  test("random and truncated tables never throw and find nothing false", () => {
    for (let i = 0; i < 500; i++) {
      const cut = TABLE.slice(0, Math.floor(Math.random() * TABLE.length));
      const junk = Array.from(
        { length: Math.floor(Math.random() * 300) },
        () => String.fromCharCode(32 + Math.floor(Math.random() * 95)),
      ).join("");
      for (const text of [cut, junk, junk + "\n" + cut, cut.replaceAll(" ", "\n")]) {
        const rows = parseProcTcp(text);
        for (const r of rows) expect(Number.isInteger(r.uid)).toBe(true);
        const uid = peerUid({ ip: "127.0.0.1", port: 50000 }, { ip: "127.0.0.1", port: 9428 }, () => text);
        expect(uid === undefined || uid === 1000).toBe(true);
      }
    }
  });
});

describe("peer checks", () => {
  const read = (p: string) => p.endsWith("/tcp") ? TABLE : "";
  const us = { ip: "127.0.0.1", port: 9428 };
  test("loopback only; the server's own user only", () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("::ffff:127.0.0.2")).toBe(true);
    expect(isLoopback("192.168.1.5")).toBe(false);
    expect(isLoopback("::ffff:10.0.0.1")).toBe(false);
    expect(refusePeer({ ip: "192.168.1.5", port: 50000 }, { us, uid: 1000, read })).toContain(
      "only this computer",
    );
    expect(refusePeer(null, { us, uid: 1000, read })).toContain("only this computer");
    expect(refusePeer({ ip: "127.0.0.1", port: 50000 }, { us, uid: 1000, read })).toBeUndefined();
    expect(refusePeer({ ip: "127.0.0.1", port: 50000 }, { us, uid: 0, read })).toContain("only the user");
    expect(refusePeer({ ip: "127.0.0.1", port: 50001 }, { us, uid: 0, read })).toContain("could not tell");
  });
});

describe("the offline link", () => {
  test("both shares, once, in time, from a private file", () => {
    const dir = mkdtempSync(join(tmpdir(), "hearth-open-"));
    try {
      const l = createOpenLogin(dir);
      expect(statSync(join(dir, "local-open", l.id)).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "local-open")).mode & 0o777).toBe(0o700);
      expect(redeemOpenLogin(dir, l.id, l.a)).toEqual({ ok: true });
      expect(redeemOpenLogin(dir, l.id, l.a).ok).toBe(false); // once
      const wrong = createOpenLogin(dir);
      const flipped = (wrong.a[0] === "A" ? "B" : "A") + wrong.a.slice(1);
      expect(redeemOpenLogin(dir, wrong.id, flipped).ok).toBe(false);
      expect(redeemOpenLogin(dir, wrong.id, wrong.a).ok).toBe(false); // a wrong guess burns it
      const late = createOpenLogin(dir, Date.now() - 121_000);
      expect(redeemOpenLogin(dir, late.id, late.a)).toEqual({
        ok: false,
        why: expect.stringContaining("expired"),
      });
      const other = createOpenLogin(dir);
      expect(redeemOpenLogin(dir, other.id, other.a, { uid: 4242 }).ok).toBe(false); // written by someone else
      const loose = createOpenLogin(dir);
      const path = join(dir, "local-open", loose.id);
      const text = readFileSync(path, "utf8");
      rmSync(path);
      writeFileSync(path, text, { mode: 0o644 });
      expect(redeemOpenLogin(dir, loose.id, loose.a).ok).toBe(false); // readable by others
      for (const [id, a] of [["../x", l.a], ["", ""], [l.id, "short"], ["a".repeat(200), l.a]]) {
        expect(redeemOpenLogin(dir, id!, a!).ok).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("local sessions", () => {
  test("a token finds its session until revoked, ended or idle too long", () => {
    let now = 1_000_000;
    const s = new LocalSessions(() => now);
    const a = s.create("offline", "Chromium");
    const b = s.create("online", "Firefox", "alice@hearth.localhost");
    expect(s.get(a.token)?.how).toBe("offline");
    expect(s.get("nope")).toBeUndefined();
    expect(s.list()).toHaveLength(2);
    expect(s.revoke(a.session.id)).toBe(true);
    expect(s.get(a.token)).toBeUndefined();
    now += 13 * 3600_000;
    expect(s.get(b.token)).toBeUndefined();
  });

  test("next is a path on this listener, never another origin", () => {
    expect(safeNext("/browse/abc")).toBe("/browse/abc");
    for (
      const bad of ["//evil.example", "https://evil.example", "/\\evil.example", "", undefined, "browse"]
    ) {
      expect(safeNext(bad)).toBe("/browse");
    }
  });
});

describe("peer verdicts", () => {
  test("a connection that passed is not read again for a few seconds; session grants always are", () => {
    let now = 0;
    const verdicts = new PeerVerdicts(() => now);
    let reads = 0;
    const read = (p: string) => {
      reads++;
      return p.endsWith("/tcp") ? TABLE : "";
    };
    const us = { ip: "127.0.0.1", port: 9428 };
    const peer = { ip: "127.0.0.1", port: 50000 };
    expect(refusePeer(peer, { us, uid: 1000, read, verdicts })).toBeUndefined();
    const after = reads;
    expect(refusePeer(peer, { us, uid: 1000, read, verdicts })).toBeUndefined();
    expect(reads).toBe(after); // remembered
    expect(refusePeer(peer, { us, uid: 1000, read, verdicts, fresh: true })).toBeUndefined();
    expect(reads).toBeGreaterThan(after); // a session grant reads afresh
    now += 6_000;
    const before = reads;
    refusePeer(peer, { us, uid: 1000, read, verdicts });
    expect(reads).toBeGreaterThan(before); // forgotten after VERDICT_MS
    // A refused peer is never remembered.
    expect(refusePeer({ ip: "127.0.0.1", port: 50000 }, { us, uid: 0, read, verdicts: new PeerVerdicts() }))
      .toContain("only the user");
  });
});

describe("open with the default application", () => {
  test("a copy under the file's name, inside its own folder, whatever the name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hearth-openwith-"));
    const record = join(dir, "record");
    const opener = join(dir, "opener.sh");
    writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$1" >> "${record}"\n`, { mode: 0o755 });
    const blob = join(dir, "blob");
    writeFileSync(blob, "content");
    process.env.HEARTH_OPENER = opener;
    try {
      for (const name of ["report.pdf", "..", ".", "a/../../b", "--help", ""]) {
        const path = openWithDefault(dir, blob, name);
        expect(path.startsWith(join(dir, "opened") + "/")).toBe(true);
        expect(path.split("/").length).toBe(join(dir, "opened").split("/").length + 2);
        expect(readFileSync(path, "utf8")).toBe("content");
      }
      const path = openWithDefault(dir, blob, "letter.txt");
      const opened = () => existsSync(record) ? readFileSync(record, "utf8").split("\n") : [];
      // The opener runs on its own: wait (bounded) until it has written its line.
      for (let i = 0; i < 1000 && !opened().includes(path); i++) await Bun.sleep(10);
      expect(opened()).toContain(path);
    } finally {
      delete process.env.HEARTH_OPENER;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
