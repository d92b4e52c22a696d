/**
 * Friends between real user servers through two real relays (every server-to-server request
 * signed, TLS end to end): alice asks bob (a wrong CAPTCHA first), bob accepts; carol asks bob and
 * bob subscribes; dave asks bob and bob rejects — each with its exact read consequences. Shares to
 * a friend and to a group, revocation effective on the next request, a remote copy verified byte
 * for byte, forged and replayed signed requests refused, and a stopped friend shown unavailable.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import sharp from "sharp";
import exifr from "exifr";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportPrivateKeyPem, generateKeyPair, publicJwk } from "../shared/pki/mod.ts";
import { SERVER_KEY_FILE } from "../platform/secrets.ts";
import { cloudDb } from "./oidc_helpers.ts";
import { type Harness, startHarness } from "./harness.ts";
import {
  askFriend,
  asOwner,
  captchaAnswer,
  challengeIdOf,
  friendsReady,
  postFormAs,
  signedPeerRequest,
} from "./friends_helpers.ts";

let h: Harness;
const users = ["alice", "bob", "carol", "dave"];

beforeAll(async () => {
  h = await startHarness({ relays: 2, users });
  await friendsReady(h, users);
}, 240_000);
afterAll(async () => {
  await h?.stop();
});

/** Makes a folder in `user`'s Home with one text file; the folder's and the file's ids. */
async function folderWithFile(user: string, folder: string, file: string, body: string) {
  await asOwner(h, user, "/browse/root/mkdir", { name: folder });
  const home = (await asOwner(h, user, "/browse")).text;
  const id = new RegExp(`href="/browse/([A-Za-z0-9_-]+)"[^>]*>${folder}<`).exec(home)![1]!;
  const form = new FormData();
  form.append("files", new File([body], file, { type: "text/plain" }));
  const res = await postFormAs(h, user, `/browse/${id}/upload`, form);
  expect(res.status).toBeLessThan(400);
  const listing = (await asOwner(h, user, `/browse/${id}`)).text;
  const fileId = new RegExp(`href="/browse/([A-Za-z0-9_-]+)"[^>]*>${file.replace(".", "\\.")}<`).exec(
    listing,
  )![1]!;
  return { id, fileId };
}

const sharedPage = (user: string) => asOwner(h, user, "/shared");

test("the handshake: a wrong CAPTCHA gets a new one; the right one stores the request on both; bob accepts", async () => {
  const asked = await asOwner(h, "alice", "/friends/ask", { name: "bob", note: "from the climbing club" });
  expect(asked.location).toBe("/friends/ask/bob");
  const page = (await asOwner(h, "alice", "/friends/ask/bob")).text;
  expect(page).toContain('src="data:image/svg+xml;base64,');
  const first = challengeIdOf(page);
  const right = captchaAnswer(h, "bob", first);
  const wrong = await asOwner(h, "alice", "/friends/ask/bob", {
    challengeId: first,
    answer: right === "zzzzz" ? "yyyyy" : "zzzzz",
  });
  expect(wrong.location).toBe("/friends/ask/bob");
  const again = (await asOwner(h, "alice", "/friends/ask/bob")).text;
  expect(again).toContain("That answer was wrong");
  const second = challengeIdOf(again);
  expect(second).not.toBe(first);
  // The first challenge is spent: its right answer no longer counts.
  const sent = await asOwner(h, "alice", "/friends/ask/bob", {
    challengeId: second,
    answer: captchaAnswer(h, "bob", second),
  });
  expect(sent.location).toBe("/friends");
  // Stored on both servers; bob is notified.
  expect((await asOwner(h, "alice", "/friends")).text).toMatch(/data-friend="bob"[\s\S]*?Request sent/);
  const bobs = (await asOwner(h, "bob", "/friends")).text;
  expect(bobs).toMatch(/data-friend="alice"[\s\S]*?Asks to be your friend/);
  expect(bobs).toContain("from the climbing club");
  expect((await asOwner(h, "bob", "/notifications")).text).toContain("alice asks to be your friend");

  expect((await asOwner(h, "bob", "/friends/alice/accept", {})).location).toBe("/friends");
  expect((await asOwner(h, "bob", "/friends")).text).toMatch(/data-friend="alice"[\s\S]*?Friend/);
  expect((await asOwner(h, "alice", "/friends")).text).toMatch(/data-friend="bob"[\s\S]*?>Friend</);
  expect((await asOwner(h, "alice", "/notifications")).text).toContain("bob accepted your friend request");
});

test("accepted: both read what the other shares; a revoked share is 404 on the next request", async () => {
  const a = await folderWithFile("alice", "Holiday", "plan.txt", "alice's plan\n");
  const b = await folderWithFile("bob", "Recipes", "soup.txt", "bob's soup\n");
  expect(
    (await asOwner(h, "alice", `/friends/share/${a.id}`, { principal: "user:bob", access: "read" })).status,
  )
    .toBe(303);
  expect(
    (await asOwner(h, "bob", `/friends/share/${b.id}`, { principal: "user:alice", access: "read" })).status,
  )
    .toBe(303);
  // The share page names bob now.
  expect((await asOwner(h, "alice", `/browse/${a.id}/share`)).text).toContain("Stop sharing with bob");
  // Each side's share task (every second) brings the other's share into Shared with me.
  await h.waitFor("Holiday at bob's", async () => (await sharedPage("bob")).text.includes(">Holiday<"));
  await h.waitFor("Recipes at alice's", async () => (await sharedPage("alice")).text.includes(">Recipes<"));
  // Opened live from alice's server, and the bytes through bob's.
  const folder = (await asOwner(h, "bob", `/shared/alice/${a.id}`)).text;
  expect(folder).toContain("plan.txt");
  expect((await asOwner(h, "bob", `/shared/alice/${a.fileId}/content`)).text).toBe("alice's plan\n");
  // An image shows with a thumbnail (fetched from alice's server through bob's).
  const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: "#3a7" } }).png()
    .toBuffer();
  const form = new FormData();
  form.append("files", new File([png], "view.png", { type: "image/png" }));
  await postFormAs(h, "alice", `/browse/${a.id}/upload`, form);
  const inFolder = (await asOwner(h, "bob", `/shared/alice/${a.id}`)).text;
  const thumbSrc = /<img class="fr-thumb" src="([^"]+)"/.exec(inFolder)?.[1];
  expect(thumbSrc).toMatch(/^\/shared\/alice\/[A-Za-z0-9_-]+\/thumb$/);
  const thumb = await fetch(`https://bob.hearth.localhost${thumbSrc}`, {
    unix: join(h.dirs.users.bob!, "relayed.sock"),
    tls: { ca: h.caPem },
    headers: { cookie: `__Host-hearth-test-owner=test-owner-token-0123456789abcdefghijklmnop` },
  } as RequestInit);
  expect(thumb.status).toBe(200);
  expect((await sharp(new Uint8Array(await thumb.arrayBuffer())).metadata()).format).toBe("webp");
  // Revoked: the very next request is refused.
  await asOwner(h, "alice", `/friends/share/${a.id}/remove`, { principal: "user:bob" });
  expect((await asOwner(h, "bob", `/shared/alice/${a.id}`)).status).toBe(404);
  expect((await asOwner(h, "bob", `/shared/alice/${a.fileId}/content`)).status).toBe(404);
});

test("an album alice shares with bob shows at bob's in its skin, photos without positions; others get nothing", async () => {
  // A photo taken somewhere (GPS in its EXIF) in alice's Home, then a hand-picked album of it.
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#48c" } })
    .withExif({
      IFD0: { Make: "Hearth" },
      IFD3: {
        GPSLatitudeRef: "S",
        GPSLatitude: "33/1 51/1 0/1",
        GPSLongitudeRef: "E",
        GPSLongitude: "151/1 12/1 0/1",
      },
    })
    .jpeg().toBuffer();
  const form = new FormData();
  form.append("files", new File([new Uint8Array(jpeg)], "coast.jpg", { type: "image/jpeg" }));
  expect((await postFormAs(h, "alice", "/browse/root/upload", form)).status).toBeLessThan(400);
  const photoId = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>coast\.jpg</.exec(
    (await asOwner(h, "alice", "/browse")).text,
  )![1]!;
  await h.waitFor("the photo in alice's timeline", async () => {
    const days = JSON.parse((await asOwner(h, "alice", "/photos/api/days")).text).days as unknown[];
    return days.length > 0;
  });
  const made = await asOwner(h, "alice", "/photos/albums", { title: "Coast", ids: photoId });
  const albumId = /^\/photos\/albums\/([A-Za-z0-9_-]+)$/.exec(made.location ?? "")![1]!;
  // The choice is alice's friends who may read hers (bob) and her groups, never a stranger.
  const albumPage = (await asOwner(h, "alice", `/photos/albums/${albumId}`)).text;
  expect(albumPage).toContain('<option value="user:bob">bob</option>');
  expect(albumPage).not.toContain('value="user:dave"');
  const stranger = await asOwner(h, "alice", `/photos/albums/${albumId}/share-friend`, {
    principal: "user:dave",
  });
  expect(stranger.status).toBe(303);
  expect((await asOwner(h, "alice", `/photos/albums/${albumId}`)).text).toContain("Shared with no friend.");
  expect(
    (await asOwner(h, "alice", `/photos/albums/${albumId}/share-friend`, { principal: "user:bob" })).location,
  ).toBe(`/photos/albums/${albumId}`);
  expect((await asOwner(h, "alice", `/photos/albums/${albumId}`)).text).toContain("Stop sharing with bob");

  // Bob's Shared with me asks alice's server for her albums once shown; the album opens in its skin.
  await h.waitFor(
    "alice online at bob's",
    async () => (await sharedPage("bob")).text.includes('hx-get="/shared/alice/albums"'),
  );
  const list = (await asOwner(h, "bob", "/shared/alice/albums")).text;
  expect(list).toContain(`href="/shared/alice/albums/${albumId}"`);
  expect(list).toContain(">Coast<");
  const base = `/shared/alice/albums/${albumId}`;
  const shown = await asOwner(h, "bob", base);
  expect(shown.status).toBe(200);
  expect(shown.text).toContain(`data-ph-base="${base}"`);
  expect(shown.text).toContain(`${base}/p/${photoId}/thumb`);
  expect(shown.text).toContain("ph-grid");
  const bytes = async (what: string) => {
    const res = await fetch(`https://bob.hearth.localhost${base}/p/${photoId}/${what}`, {
      unix: join(h.dirs.users.bob!, "relayed.sock"),
      tls: { ca: h.caPem },
      headers: { cookie: `__Host-hearth-test-owner=test-owner-token-0123456789abcdefghijklmnop` },
    } as RequestInit);
    return {
      status: res.status,
      body: Buffer.from(await res.arrayBuffer()),
      type: res.headers.get("content-type"),
    };
  };
  const original = await bytes("original");
  expect(original.status).toBe(200);
  expect((await sharp(original.body).metadata()).width).toBe(64);
  expect(original.body.includes("GPS")).toBe(false);
  expect(await exifr.gps(original.body).catch(() => undefined)).toBeUndefined();
  expect((await exifr.parse(original.body)).Make).toBe("Hearth"); // the rest of its EXIF stays
  expect((await exifr.gps(jpeg))?.latitude).toBeCloseTo(-33.85, 2); // what alice keeps
  const info = await bytes("info");
  expect(info.status).toBe(200);
  expect(JSON.parse(info.body.toString()).gps).toBeUndefined();
  expect((await bytes("thumb")).status).toBe(200);
  // Another friend of alice's could not, nor could a server that is not her friend at all.
  const carol = await signedPeerRequest(h, { signer: "carol", to: "alice", path: "/api/peer/v1/albums" });
  expect((await carol.send()).status).not.toBe(200);
  // An album alice did not share, asked by id: not found.
  const other = await asOwner(h, "alice", "/photos/albums", { title: "Private", ids: photoId });
  const otherId = /([A-Za-z0-9_-]+)$/.exec(other.location ?? "")![1]!;
  expect((await asOwner(h, "bob", `/shared/alice/albums/${otherId}`)).status).toBe(404);
  expect((await bytes("original")).status).toBe(200);
  // Unshared: gone at once.
  await asOwner(h, "alice", `/photos/albums/${albumId}/unshare`, { principal: "user:bob" });
  expect((await asOwner(h, "bob", base)).status).toBe(404);
  expect((await bytes("original")).status).toBe(404);
  expect((await asOwner(h, "bob", "/shared/alice/albums")).text).toContain("Shares no album with you.");
});

test("federated search: alice finds bob's shared file by its content, marked as his, never by his comments; unshared, it is gone", async () => {
  const b = await folderWithFile("bob", "Kitchen", "stew.txt", "a slow stew with cardamom and lentils\n");
  await asOwner(h, "bob", `/friends/share/${b.id}`, { principal: "user:alice", access: "read" });
  const found = await h.waitFor("cardamom from bob", async () => {
    const t = (await asOwner(h, "alice", "/search/friends?q=cardamom")).text;
    return t.includes("stew.txt") ? t : undefined;
  });
  expect(found).toMatch(/data-friend="bob"[\s\S]*?shared by <strong>bob<\/strong>/);
  expect(found).toContain("<mark>cardamom</mark>");
  // bob's comment on his file: his own search finds the file by it; alice's, through his server,
  // does not, and her snippets never show it (comments are the owner's).
  const said = await asOwner(h, "bob", `/comments/${b.fileId}`, {
    content: "Secret: the saffronwhisper blend, with cardamom",
    back: `/browse/${b.fileId}`,
  });
  expect(said.status).toBe(303);
  await h.waitFor(
    "bob finds it by his comment",
    async () => (await asOwner(h, "bob", "/search?q=saffronwhisper")).text.includes("stew.txt"),
  );
  const byComment = await signedPeerRequest(h, {
    signer: "alice",
    to: "bob",
    path: "/api/peer/v1/search?q=saffronwhisper",
  });
  const hidden = await byComment.send();
  expect(hidden.status).toBe(200);
  expect(await hidden.json()).toEqual({ hits: [] });
  const byBody = await signedPeerRequest(h, {
    signer: "alice",
    to: "bob",
    path: "/api/peer/v1/search?q=cardamom",
  });
  const shown = JSON.stringify(await (await byBody.send()).json());
  expect(shown).toContain("stew.txt");
  expect(shown).not.toContain("saffronwhisper");
  expect((await asOwner(h, "alice", "/search/friends?q=saffronwhisper")).text).not.toContain("stew.txt");
  // alice's own results page asks for friends' results after showing her own.
  expect((await asOwner(h, "alice", "/search?q=cardamom")).text).toContain(
    'hx-get="/search/friends?q=cardamom"',
  );
  // bob stops sharing: gone from the very next search.
  await asOwner(h, "bob", `/friends/share/${b.id}/remove`, { principal: "user:alice" });
  expect((await asOwner(h, "alice", "/search/friends?q=cardamom")).text).not.toContain("stew.txt");
  // Asked directly with alice's own key, bob's server answers — without the unshared file.
  const direct = await signedPeerRequest(h, {
    signer: "alice",
    to: "bob",
    path: "/api/peer/v1/search?q=cardamom",
  });
  const answer = await direct.send();
  expect(answer.status).toBe(200);
  expect(JSON.stringify(await answer.json())).not.toContain("stew.txt");
  // carol, not bob's friend, finds nothing of his even signed with her own key.
  const probe = await signedPeerRequest(h, {
    signer: "carol",
    to: "bob",
    path: "/api/peer/v1/search?q=cardamom",
  });
  expect((await probe.send()).status).not.toBe(200);
});

test("a write share: bob sends a file into alice's folder (in chunks) and renames there; read-only refuses", async () => {
  const w = await folderWithFile("alice", "Inbox", "readme.txt", "drop things here\n");
  const r = await folderWithFile("alice", "Archive", "old.txt", "look, don't touch\n");
  await asOwner(h, "alice", `/friends/share/${w.id}`, { principal: "user:bob", access: "write" });
  await asOwner(h, "alice", `/friends/share/${r.id}`, { principal: "user:bob", access: "read" });
  await h.waitFor("Inbox at bob's", async () => (await sharedPage("bob")).text.includes(">Inbox<"));
  expect((await asOwner(h, "bob", `/shared/alice/${w.id}`)).text).toContain("Send a file into this folder");
  expect((await asOwner(h, "bob", `/shared/alice/${r.id}`)).text).not.toContain(
    "Send a file into this folder",
  );
  // 9 MiB and a bit: three signed chunks.
  const bytes = new Uint8Array(9 * 1024 * 1024 + 123).map((_, i) => (i * 31) & 0xff);
  const send = async (folder: string) => {
    const body = new FormData();
    body.append("file", new File([bytes], "scan.bin"));
    return await postFormAs(h, "bob", `/shared/alice/${folder}/upload`, body);
  };
  expect((await send(w.id)).status).toBe(303);
  const inbox = (await asOwner(h, "alice", `/browse/${w.id}`)).text;
  const scanId = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>scan\.bin</.exec(inbox)![1]!;
  const sum = createHash("sha256").update(bytes).digest("hex");
  const blob = join(h.dirs.users.alice!, "blobs", sum.slice(0, 2), sum.slice(2, 4), sum);
  expect(createHash("sha256").update(readFileSync(blob)).digest("hex")).toBe(sum);
  // Renamed from bob's side.
  await asOwner(h, "bob", `/shared/alice/${scanId}/rename`, { name: "scan-2024.bin" });
  expect((await asOwner(h, "alice", `/browse/${w.id}`)).text).toContain(">scan-2024.bin<");
  // The read-only folder takes nothing.
  const refused = await send(r.id);
  expect(decodeURIComponent(refused.headers.getSetCookie().join(";"))).toContain("to view only");
  expect((await asOwner(h, "alice", `/browse/${r.id}`)).text).not.toContain("scan.bin");
});

test("a group share reaches its members", async () => {
  const g = await folderWithFile("alice", "Family", "tree.txt", "the family tree\n");
  await asOwner(h, "alice", "/friends/groups", { name: "family" });
  await asOwner(h, "alice", "/friends/groups/family/add", { member: "bob" });
  expect((await asOwner(h, "alice", "/friends")).text).toContain("Groups: family");
  await asOwner(h, "alice", `/friends/share/${g.id}`, { principal: "group:family", access: "read" });
  await h.waitFor("Family at bob's", async () => (await sharedPage("bob")).text.includes(">Family<"));
  expect((await asOwner(h, "bob", `/shared/alice/${g.fileId}/content`)).text).toBe("the family tree\n");
  // Out of the group: out of the share, on the next request.
  await asOwner(h, "alice", "/friends/groups/family/remove", { member: "bob" });
  expect((await asOwner(h, "bob", `/shared/alice/${g.fileId}/content`)).status).toBe(404);
});

test("subscribe: bob reads what carol shares with him; carol cannot read bob's", async () => {
  await askFriend(h, "carol", "bob");
  expect((await asOwner(h, "bob", "/friends/carol/subscribe", {})).location).toBe("/friends");
  const c = await folderWithFile("carol", "Zine", "issue1.txt", "carol's zine\n");
  const b = await folderWithFile("bob", "Drafts", "draft.txt", "bob's draft\n");
  await asOwner(h, "carol", `/friends/share/${c.id}`, { principal: "user:bob", access: "read" });
  // bob cannot even offer carol a share: she is not among those he may share with.
  expect((await asOwner(h, "bob", `/browse/${b.id}/share`)).text).not.toContain('value="user:carol"');
  await h.waitFor("Zine at bob's", async () => (await sharedPage("bob")).text.includes(">Zine<"));
  expect((await asOwner(h, "bob", `/shared/carol/${c.fileId}/content`)).text).toBe("carol's zine\n");
  // carol's side: bob follows her; she has no Shared-with-me entry for him and no way to ask.
  expect((await asOwner(h, "carol", "/friends")).text).toMatch(
    /data-friend="bob"[\s\S]*?Follows what you share/,
  );
  expect((await sharedPage("carol")).text).not.toContain('data-friend="bob"');
  expect((await asOwner(h, "carol", `/shared/bob/${b.id}`)).status).toBe(404);
  // Even a request signed with carol's own key is not a friend's at bob's.
  const probe = await signedPeerRequest(h, { signer: "carol", to: "bob", path: "/api/peer/v1/shared" });
  expect((await probe.send()).status).not.toBe(200);
});

test("reject: neither reads the other's", async () => {
  await askFriend(h, "dave", "bob");
  expect((await asOwner(h, "bob", "/friends/dave/reject", {})).location).toBe("/friends");
  expect((await asOwner(h, "dave", "/friends")).text).toMatch(/data-friend="bob"[\s\S]*?Declined/);
  const d = await folderWithFile("dave", "Songs", "song.txt", "dave's song\n");
  // dave cannot share with bob (a share form's principal is checked, not trusted).
  await asOwner(h, "dave", `/friends/share/${d.id}`, { principal: "user:bob", access: "read" });
  expect((await asOwner(h, "dave", `/browse/${d.id}/share`)).text).toContain(
    "bob is not among the friends you can share with",
  );
  expect((await asOwner(h, "bob", `/shared/dave/${d.fileId}`)).status).toBe(404);
  const probe = await signedPeerRequest(h, { signer: "dave", to: "bob", path: "/api/peer/v1/shared" });
  expect((await probe.send()).status).not.toBe(200);
  // And dave cannot ask again: bob declined.
  const again = await asOwner(h, "dave", "/friends/ask", { name: "bob" });
  expect(again.location).toBe("/friends");
  expect((await asOwner(h, "dave", "/friends")).text).toContain("declined your request");
});

test("signed requests: alice's own key works once; a replay, a forged key and another host are refused", async () => {
  const ok = await signedPeerRequest(h, { signer: "alice", to: "bob", path: "/api/peer/v1/shared" });
  const first = await ok.send();
  expect(first.status).toBe(200);
  expect(Array.isArray((await first.json()).items)).toBe(true);
  expect((await ok.send()).status).not.toBe(200); // the same nonce again
  const forged = await signedPeerRequest(h, {
    signer: "alice",
    to: "bob",
    path: "/api/peer/v1/shared",
    key: (await generateKeyPair()).privateKey,
  });
  expect((await forged.send()).status).not.toBe(200);
  // A "signed" request with a chunked body of unknown length is refused without being read (no buffering).
  const relay = h.relaySpecs[0]!;
  let sent = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (sent >= 64 * 1024 * 1024) return ctl.close();
      sent += 1024 * 1024;
      ctl.enqueue(new Uint8Array(1024 * 1024));
    },
  });
  const chunked = await fetch(`https://${relay.browserAddresses[0]}:${relay.browserPort}/api/peer/v1/hello`, {
    method: "POST",
    headers: { host: `bob.hearth.localhost:${relay.browserPort}`, "signature-input": 'hearth=("@method")' },
    body: endless,
    tls: { ca: h.caPem, serverName: "bob.hearth.localhost" },
  } as RequestInit).catch((e: Error) => e);
  expect(chunked instanceof Response ? chunked.status : 0).not.toBe(200);
  expect((await asOwner(h, "bob", "/friends")).status).toBe(200); // bob is fine
  // Signed for carol's server, delivered to bob's: refused (the authority is part of what is signed).
  const elsewhere = await signedPeerRequest(h, {
    signer: "alice",
    to: "carol",
    deliverTo: "bob",
    path: "/api/peer/v1/shared",
  });
  expect((await elsewhere.send()).status).not.toBe(200);
});

test("a 200 MB copy from a friend arrives byte for byte", async () => {
  const big = new Uint8Array(200 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
  const sum = createHash("sha256").update(big).digest("hex");
  const form = new FormData();
  form.append("files", new File([big], "big.bin", { type: "application/octet-stream" }));
  const up = await postFormAs(h, "alice", "/browse/root/upload", form);
  expect(up.status).toBeLessThan(400);
  const home = (await asOwner(h, "alice", "/browse")).text;
  const id = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>big\.bin</.exec(home)![1]!;
  await asOwner(h, "alice", `/friends/share/${id}`, { principal: "user:bob", access: "read" });
  await h.waitFor("big.bin at bob's", async () => (await sharedPage("bob")).text.includes(">big.bin<"));
  const copy = await asOwner(h, "bob", `/shared/alice/${id}/copy`, {});
  expect(copy.status).toBe(303);
  await h.waitFor(
    "the copy's notification",
    async () =>
      (await asOwner(h, "bob", "/notifications")).text.includes("big.bin from alice is in your files"),
    120_000,
  );
  // The blob in bob's store is the same bytes.
  const blob = join(h.dirs.users.bob!, "blobs", sum.slice(0, 2), sum.slice(2, 4), sum);
  expect(createHash("sha256").update(readFileSync(blob)).digest("hex")).toBe(sum);
}, 240_000);

test("a changed key is shown and refused until alice trusts it", async () => {
  await h.waitFor("Recipes at alice's", async () => (await sharedPage("alice")).text.includes(">Recipes<"));
  // bob's server gets a new key (a reinstall): RegCloud and bob's data directory both change.
  const fresh = await generateKeyPair();
  const bob = h.processes.get("user:bob")!;
  await bob.stop();
  writeFileSync(join(h.dirs.users.bob!, SERVER_KEY_FILE), await exportPrivateKeyPem(fresh.privateKey), {
    mode: 0o600,
  });
  const db = await cloudDb(h);
  try {
    await db.execute({
      sql: "update servers set public_key_jwk = ? where name = 'bob'",
      args: [JSON.stringify(await publicJwk(fresh.publicKey))],
    });
  } finally {
    db.close();
  }
  await h.start("user:bob");
  await h.waitFor("bob's tunnels", async () => (await h.tunnelsOf("bob")).length === h.relaySpecs.length);
  // bob's pings (signed with the new key) are refused at alice's, and she is shown why.
  await h.waitFor(
    "the key change at alice's",
    async () =>
      /data-friend="bob"[\s\S]*?server key changed/.test((await asOwner(h, "alice", "/friends")).text),
  );
  const probe = await signedPeerRequest(h, { signer: "bob", to: "alice", path: "/api/peer/v1/shared" });
  expect((await probe.send()).status).not.toBe(200);
  // alice trusts it: bob is a friend again on the next request.
  await asOwner(h, "alice", "/friends/bob/trust-key", {});
  expect((await asOwner(h, "alice", "/friends")).text).not.toContain("server key changed");
  const again = await signedPeerRequest(h, { signer: "bob", to: "alice", path: "/api/peer/v1/shared" });
  expect((await again.send()).status).toBe(200);
});

test("bob's server stopped: alice sees him offline and his shares unavailable, at once", async () => {
  await h.waitFor("Recipes at alice's", async () => (await sharedPage("alice")).text.includes(">Recipes<"));
  await h.processes.get("user:bob")!.stop();
  await h.waitFor(
    "bob offline",
    async () => /data-friend="bob"[\s\S]*?offline/.test((await sharedPage("alice")).text),
  );
  const page = (await sharedPage("alice")).text;
  expect(page).toContain("unavailable: offline");
  const started = performance.now();
  const open = await asOwner(h, "alice", "/shared/bob/anything");
  expect(open.text).toContain("bob&#39;s server is unavailable");
  // Time-boxed: an answer, not a hang (the bound, not the machine's speed, is what is checked).
  expect(performance.now() - started).toBeLessThan(30_000);
  // Searching: alice's own results as ever; bob is named as not searched, without waiting for him.
  expect((await asOwner(h, "alice", "/search?q=plan")).status).toBe(200);
  const friends = await asOwner(h, "alice", "/search/friends?q=plan");
  expect(friends.text).toContain("bob (offline)");
  // Asking needs both servers online: carol is told bob's is offline, and may retry later.
  await asOwner(h, "carol", "/friends/bob/end", {});
  const ask = await asOwner(h, "carol", "/friends/ask", { name: "bob" });
  expect(ask.location).toBe("/friends");
  expect((await asOwner(h, "carol", "/friends")).text).toContain("bob&#39;s server is offline");
});
