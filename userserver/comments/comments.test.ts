/**
 * Comments through the relayed app on a real store: the owner's thread (reply, edit with history,
 * delete shown as removed, resolve/reopen), threads shared by identical content, a link visitor's
 * comment (name typed, the owner notified), links that do not allow comments, hostile Markdown.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { UserServer } from "../boot/mod.ts";
import { type Item, ROOT_ID } from "../store/mod.ts";
import { type TestServer, testServer } from "../_test_server.ts";

let t: TestServer;
let s: UserServer;
let dir: string;
const signIn = (name: string | undefined) => t.signIn(name);
let doc: Item;
let copy: Item;

const req = (path: string, init: RequestInit = {}) => t.request(path, init, "203.0.113.9");
const form = (path: string, fields: Record<string, string>) =>
  req(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
const api = async (path: string) =>
  (await (await req(path)).json()) as { comments: Array<Record<string, unknown>> };

beforeAll(async () => {
  t = await testServer("comments");
  s = t.server;
  dir = t.dir;
  for (const name of ["plan.txt", "plan copy.txt"]) {
    const tmp = join(dir, name);
    writeFileSync(tmp, "the same plan");
    const item = (await s.core.store.importFile(ROOT_ID, name, tmp, { mtime: 1, type: "text/plain" })).item;
    if (name === "plan.txt") doc = item;
    else copy = item;
  }
});
afterAll(async () => {
  await t?.stop();
});

describe("comments", () => {
  test(
    "the owner's thread: comment, reply, edit (history kept), delete shown as removed, resolve and reopen",
    async () => {
      signIn("alice");
      expect(
        (await form(`/comments/${doc.id}`, { content: "First **draft**", back: `/browse/${doc.id}` })).status,
      ).toBe(303);
      let list = (await api(`/api/comments?item=${doc.id}`)).comments;
      expect(list).toHaveLength(1);
      const first = list[0]!;
      expect(first.html).toContain("<strong>draft</strong>");
      await form(`/comments/${doc.id}`, { content: "A reply", parentId: String(first.id) });
      await form(`/comments/${doc.id}/c/${first.id}/edit`, { content: "Second draft" });
      list = (await api(`/api/comments?item=${doc.id}`)).comments;
      expect(list.map((c) => [c.content, c.threadId])).toEqual([["Second draft", first.id], [
        "A reply",
        first.id,
      ]]);
      const history = await (await req(`/api/comments/${first.id}/history`)).json();
      expect(history.history.map((h: { content: string }) => h.content)).toEqual(["First **draft**"]);
      await form(`/comments/${doc.id}/c/${list[1]!.id}/delete`, {});
      let page = await (await req(`/browse/${doc.id}`)).text();
      expect(page).toContain("This comment was removed.");
      expect(page).not.toContain("A reply");
      await form(`/comments/${doc.id}/c/${first.id}/resolve`, { resolved: "1" });
      page = await (await req(`/browse/${doc.id}`)).text();
      expect(page).toContain("Resolved");
      expect(page).toContain("Reopen");
      await form(`/comments/${doc.id}/c/${first.id}/resolve`, { resolved: "0" });
      expect((await api(`/api/comments?item=${doc.id}`)).comments.every((c) => c.resolved === false)).toBe(
        true,
      );
    },
    300_000,
  );

  test("identical content shares its threads (a copy shows the same comments)", async () => {
    signIn("alice");
    const ids = (c: { comments: Array<Record<string, unknown>> }) => c.comments.map((x) => x.id);
    expect(ids(await api(`/api/comments?item=${copy.id}`))).toEqual(
      ids(await api(`/api/comments?item=${doc.id}`)),
    );
  }, 300_000);

  test("hostile Markdown is shown as text", async () => {
    signIn("alice");
    await form(`/comments/${doc.id}`, { content: '<img src=x onerror="alert(1)"> [x](javascript:alert(1))' });
    const page = await (await req(`/browse/${doc.id}`)).text();
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain("&lt;img src=x");
  }, 300_000);

  test(
    "a link visitor comments with a typed name when the link allows it; the owner is notified",
    async () => {
      signIn("alice");
      const make = async (allowComments: boolean) =>
        (await (await req("/api/links", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ itemId: doc.id, allowComments, label: "Review" }),
        })).json()).link.token as string;
      const open = await make(true);
      const closed = await make(false);
      const before = await s.core.notifications.unseenCount();
      signIn(undefined);
      const page = await (await req(`/s/${open}`)).text();
      expect(page).toContain("Your name");
      expect(page).toContain("Second draft");
      const posted = await form(`/s/${open}/comments/${doc.id}`, {
        name: "Bob",
        content: "Looks good",
        back: `/s/${open}`,
      });
      expect(posted.status).toBe(303);
      expect(await (await req(`/s/${open}`)).text()).toContain("Looks good");
      expect(await s.core.notifications.unseenCount()).toBe(before + 1);
      expect((await s.core.notifications.list())[0]!.title).toContain("Bob commented on plan.txt");
      expect((await form(`/s/${open}/comments/${doc.id}`, { name: "", content: "anon" })).status).toBe(400);
      expect((await form(`/s/${closed}/comments/${doc.id}`, { name: "Eve", content: "spam" })).status).toBe(
        404,
      );
      expect(await (await req(`/s/${closed}`)).text()).not.toContain("Your name");
      // Visitors cannot edit, delete or resolve, nor read the API.
      const list = await s.core.reader.all<{ id: string }>("select id from comments");
      expect((await form(`/comments/${doc.id}/c/${list[0]!.id}/delete`, {})).status).not.toBe(303);
      expect((await req(`/api/comments?item=${doc.id}`)).status).not.toBe(200);
    },
    300_000,
  );

  test(
    "a private note: the owner sees it and its replies; a link's visitor sees neither, nor can answer it",
    async () => {
      signIn("alice");
      await form(`/comments/${doc.id}`, { content: "Ask for more money", private: "1" });
      const mine = (await api(`/api/comments?item=${doc.id}`)).comments.find((c) =>
        c.content === "Ask for more money"
      )!;
      expect(mine.visibility).toBe("private");
      await form(`/comments/${doc.id}`, { content: "Agreed, double it", parentId: String(mine.id) });
      const reply = (await api(`/api/comments?item=${doc.id}`)).comments.find((c) =>
        c.content === "Agreed, double it"
      )!;
      expect(reply.visibility).toBe("private"); // an answer in a private thread stays private
      const owners = await (await req(`/browse/${doc.id}`)).text();
      expect(owners).toContain("Ask for more money");
      expect(owners).toContain("Private — only you see this thread");
      const token = (await (await req("/api/links", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ itemId: doc.id, allowComments: true }),
      })).json()).link.token;
      signIn(undefined);
      const visitors = await (await req(`/s/${token}`)).text();
      expect(visitors).toContain("Second draft"); // the public thread is there …
      expect(visitors).not.toContain("Ask for more money"); // … the private one is not
      expect(visitors).not.toContain("double it");
      expect(visitors).not.toContain(String(mine.id));
      const answer = await form(`/s/${token}/comments/${doc.id}`, {
        name: "Mallory",
        content: "I guessed the id",
        parentId: String(mine.id),
      });
      expect(answer.status).toBe(400);
      signIn("alice");
      const all = (await api(`/api/comments?item=${doc.id}`)).comments;
      expect(all.some((c) => c.content === "I guessed the id")).toBe(false);
    },
    300_000,
  );

  test("a visitor's comments are throttled per address", async () => {
    signIn("alice");
    const token = (await (await req("/api/links", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ itemId: copy.id, allowComments: true }),
    })).json()).link.token;
    signIn(undefined);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(
        (await form(`/s/${token}/comments/${copy.id}`, { name: "Spammer", content: `spam ${i}` })).status,
      );
    }
    expect(statuses.filter((x) => x === 303).length).toBeLessThanOrEqual(10);
    expect(statuses.at(-1)).toBe(429);
  }, 300_000);
});
