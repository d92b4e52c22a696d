/**
 * The owner's friends pages and actions: Friends (ask, answer the CAPTCHA, accept / reject /
 * subscribe, cancel, unfriend, trust a changed key, groups), sharing an item with friends and
 * groups, and Shared with me — listed from what the share task kept, opened live from the friend's
 * server (time-boxed), downloaded through this server, or copied into my files.
 */
import { Hono } from "hono";
import type { Core } from "../core/mod.ts";
import { requireAccess, type ShellContext, type ShellEnv } from "../plugins/mod.ts";
import { form, page, redirectWith, safeBack, takeNotice } from "../files/_http.tsx";
import { proxiedFromFriend } from "./proxied.ts";
import { PermissionError, type Principal } from "../permissions/mod.ts";
import { friendShares } from "../../shared/db/userserver/schema.ts";
import { type PeerClient, PeerUnavailableError } from "./client.ts";
import { type Copier, CopyError } from "./copier.ts";
import { PEER_API } from "./door.ts";
import { groupName, type Groups } from "./groups.ts";
import { type Decision, FriendError, type Handshake } from "./handshake.ts";
import { mayReadMine, mayReadTheirs, type Relations } from "./relations.ts";
import type { ShareTask } from "./share_task.ts";
import { renameAtFriend, sendToFriend } from "./remote_writes.ts";
import type { PeerItem } from "./shared_items.ts";
import { AskPage, FriendsPage, RemoteItemPage, SharedWithMePage, UnavailablePage } from "./views.tsx";

export interface OwnerRoutesDeps {
  core: Core;
  relations: Relations;
  groups: Groups;
  handshake: Handshake;
  task: ShareTask;
  client: PeerClient;
  copier: Copier;
}

const DECISIONS: Record<string, Decision> = {
  accept: "accepted",
  reject: "rejected",
  subscribe: "subscribed",
};
const REMOTE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function ownerRoutes(d: OwnerRoutesDeps): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  const { core, relations, handshake } = d;
  const config = () => core.config.current;

  /** Runs an action; a FriendError goes back to `back` as the page's error, its result as the notice. */
  const act = async (c: ShellContext, back: string, fn: () => Promise<string>) => {
    try {
      return redirectWith(c, back, { ok: await fn() });
    } catch (e) {
      if (e instanceof FriendError || e instanceof PermissionError || e instanceof CopyError) {
        return redirectWith(c, back, { error: e.message });
      }
      throw e;
    }
  };

  app.get("/friends", async (c) =>
    await page(
      c,
      "Friends",
      <FriendsPage
        relations={await relations.list()}
        statusOf={(n) => d.task.status(n)}
        groups={await d.groups.list()}
        notices={takeNotice(c)}
        self={config().name}
        zone={config().zone}
      />,
    ));

  app.post("/friends/ask", async (c) => {
    const f = await form(c);
    let name = "";
    const res = await act(c, "/friends", async () => {
      name = await handshake.ask(String(f.name ?? ""), String(f.note ?? ""));
      return "";
    });
    return name ? c.redirect(`/friends/ask/${name}`, 303) : res;
  });

  app.get("/friends/ask/:name", async (c) => {
    const ask = handshake.pending(c.req.param("name"));
    if (!ask) return redirectWith(c, "/friends", { error: "That question is no longer open: ask again." });
    return await page(c, `Ask ${ask.name}`, <AskPage ask={ask} />);
  });

  app.post("/friends/ask/:name", async (c) => {
    const name = c.req.param("name");
    const f = await form(c);
    try {
      const outcome = await handshake.answer(name, String(f.challengeId ?? ""), String(f.answer ?? ""));
      if (outcome === "wrong") return c.redirect(`/friends/ask/${name}`, 303);
      void d.task.refresh(name);
      return redirectWith(c, "/friends", {
        ok: `Request sent to ${name}. You will be told when they answer.`,
      });
    } catch (e) {
      if (e instanceof FriendError) return redirectWith(c, "/friends", { error: e.message });
      throw e;
    }
  });

  app.post("/friends/:name/:action{accept|reject|subscribe}", (c) => {
    const name = c.req.param("name");
    const decision = DECISIONS[c.req.param("action")]!;
    return act(c, "/friends", async () => {
      await handshake.decide(name, decision);
      void d.task.refresh(name);
      return decision === "accepted"
        ? `You and ${name} are friends`
        : decision === "subscribed"
        ? `You now follow what ${name} shares with you; ${name} cannot read yours`
        : `You declined ${name}'s request`;
    });
  });

  app.post("/friends/:name/end", (c) => {
    const name = c.req.param("name");
    return act(c, "/friends", async () => {
      const { told } = await handshake.end(name);
      return told
        ? `Done: ${name}'s server was told`
        : `Done. ${name}'s server is offline; it learns when it is back.`;
    });
  });

  app.post("/friends/:name/trust-key", (c) => {
    const name = c.req.param("name");
    return act(c, "/friends", async () => {
      await relations.trustNewKey(name);
      return `${name}'s new key is trusted`;
    });
  });

  // Groups.
  app.post("/friends/groups", async (c) => {
    const f = await form(c);
    return act(c, "/friends", async () => {
      const name = groupName(f.name);
      await d.groups.create(name);
      return `Group ${name} created`;
    });
  });
  app.post("/friends/groups/:group/:action{add|remove|rename|delete}", async (c) => {
    const f = await form(c);
    const group = c.req.param("group");
    return act(c, "/friends", async () => {
      switch (c.req.param("action")) {
        case "add": {
          const member = String(f.member ?? "");
          if (!(await relations.get(member))) throw new FriendError(`${member} is not one of your friends`);
          await d.groups.add(group, member);
          return `${member} added to ${group}`;
        }
        case "remove":
          await d.groups.remove(group, String(f.member ?? ""));
          return `Removed from ${group}`;
        case "rename": {
          const to = groupName(f.to);
          await d.groups.rename(group, to);
          return `Group ${group} is now ${to}`;
        }
        default:
          await d.groups.delete(group);
          return `Group ${group} deleted; what it was shared with is no longer shared with its members`;
      }
    });
  });

  // Sharing an item with a friend or a group (the Share page's section).
  app.post("/friends/share/:id", async (c) => {
    const { item } = requireAccess(core, c, c.req.param("id"), "write");
    const f = await form(c);
    const back = safeBack(f.back, `/browse/${item.id}/share`);
    return act(c, back, async () => {
      const principal = String(f.principal ?? "") as Principal;
      const access = f.access === "write" ? "write" : "read";
      // Only to someone who may read it: a friend (or a server subscribed to me), or a group of mine.
      const who = principal.slice(principal.indexOf(":") + 1);
      if (principal.startsWith("user:") && !mayReadMine(await relations.get(who))) {
        throw new FriendError(`${who} is not among the friends you can share with`);
      }
      if (principal.startsWith("group:") && !(await d.groups.list()).some((g) => g.name === who)) {
        throw new FriendError(`There is no group called ${who}`);
      }
      const own = await core.permissions.entriesOf(item.id);
      const inherited = own.length === 0 ? (await core.permissions.effective(item.id)).entries : [];
      const next = [...inherited, ...own].filter((e) => e.principal !== principal);
      await core.permissions.setAcl(item.id, [...next, { principal, access }]);
      return `Shared with ${principal.replace(/^user:/, "").replace(/^group:/, "group ")}`;
    });
  });
  app.post("/friends/share/:id/remove", async (c) => {
    const { item } = requireAccess(core, c, c.req.param("id"), "write");
    const f = await form(c);
    const back = safeBack(f.back, `/browse/${item.id}/share`);
    return act(c, back, async () => {
      const own = await core.permissions.entriesOf(item.id);
      const next = own.filter((e) => e.principal !== f.principal);
      // The last entry gone: the item inherits its folder's sharing again.
      await core.permissions.setAcl(item.id, next.length ? next : null);
      return "No longer shared with them";
    });
  });

  // Shared with me: what the share task kept, with each friend's last known status.
  app.get("/shared", async (c) => {
    const rows = await core.db.orm.select().from(friendShares).all();
    const readable = (await relations.list()).filter(mayReadTheirs).map((r) => r.name);
    const byFriend = readable.map((friend) => ({
      friend,
      items: rows.filter((r) => r.friend === friend).map((r): PeerItem => ({
        id: r.itemId,
        name: r.name,
        kind: r.kind,
        type: r.type,
        size: r.size,
        mtime: r.mtime,
        hash: null,
        access: r.access,
      })).sort((a, b) => a.name.localeCompare(b.name)),
    }));
    return await page(
      c,
      "Shared with me",
      <SharedWithMePage byFriend={byFriend} statusOf={(n) => d.task.status(n)} notices={takeNotice(c)} />,
    );
  });

  /** The friend's item, asked of their server now (time-boxed); a page saying why not otherwise. */
  const remote = async (c: ShellContext, friend: string, id: string) => {
    if (!REMOTE_ID.test(id) || !mayReadTheirs(await relations.get(friend))) return { error: 404 as const };
    try {
      const { status, body } = await d.client.json<{ item?: PeerItem; children?: PeerItem[] }>(
        friend,
        `${PEER_API}/items/${id}`,
        { timeoutMs: 5_000 },
      );
      if (status === 404 || !body.item) return { error: 404 as const };
      return { item: body.item, children: body.children };
    } catch (e) {
      if (e instanceof PeerUnavailableError) {
        return {
          unavailable: await page(
            c,
            `${friend} is unavailable`,
            <UnavailablePage friend={friend} reason={e.message} />,
          ),
        };
      }
      throw e;
    }
  };

  app.get("/shared/:friend/:id", async (c) => {
    const friend = c.req.param("friend");
    const r = await remote(c, friend, c.req.param("id"));
    if ("unavailable" in r) return r.unavailable!;
    if ("error" in r) return c.notFound();
    return await page(
      c,
      r.item.name,
      <RemoteItemPage friend={friend} item={r.item} entries={r.children} notices={takeNotice(c)} />,
    );
  });

  // The bytes, streamed through this server (the browser never talks to the friend's server).
  app.get("/shared/:friend/:id/content", async (c) => {
    const friend = c.req.param("friend");
    const id = c.req.param("id");
    if (!REMOTE_ID.test(id) || !mayReadTheirs(await relations.get(friend))) return c.notFound();
    return await proxiedFromFriend(c, d.client, friend, `${PEER_API}/items/${id}/content`, {
      timeoutMs: 30 * 60_000,
      disposition: c.req.query("download") ? "attachment" : "inline",
    });
  });

  // A write share: a file into the friend's folder, or a new name there.
  app.post("/shared/:friend/:id/upload", async (c) => {
    const friend = c.req.param("friend");
    const id = c.req.param("id");
    const back = `/shared/${friend}/${id}`;
    if (!REMOTE_ID.test(id) || !mayReadTheirs(await relations.get(friend))) return c.notFound();
    const f = await form(c);
    const files = [f.file].flat().filter((x): x is File => x instanceof File);
    return act(c, back, async () => {
      if (files.length === 0) throw new FriendError("Choose a file to send");
      for (const file of files) await sendToFriend(d.client, friend, id, file, file.name);
      return `Sent to ${friend}: ${files.map((x) => x.name).join(", ")}`;
    });
  });
  app.post("/shared/:friend/:id/rename", async (c) => {
    const friend = c.req.param("friend");
    const id = c.req.param("id");
    if (!REMOTE_ID.test(id) || !mayReadTheirs(await relations.get(friend))) return c.notFound();
    const f = await form(c);
    return act(c, `/shared/${friend}/${id}`, async () => {
      await renameAtFriend(d.client, friend, id, String(f.name ?? ""));
      return "Renamed";
    });
  });

  // A thumbnail of a friend's image, through my server (lazy, time-boxed; none if they are away).
  app.get("/shared/:friend/:id/thumb", async (c) => {
    const friend = c.req.param("friend");
    const id = c.req.param("id");
    if (!REMOTE_ID.test(id) || !mayReadTheirs(await relations.get(friend))) return c.notFound();
    try {
      const res = await d.client.call(friend, `${PEER_API}/items/${id}/thumb`, { timeoutMs: 5_000 });
      if (res.status !== 200 || res.headers.get("content-type") !== "image/webp") {
        await res.body?.cancel();
        return c.notFound();
      }
      return new Response(res.body, {
        headers: {
          "content-type": "image/webp",
          "cache-control": "private, max-age=3600",
          "x-content-type-options": "nosniff",
        },
      });
    } catch (e) {
      if (e instanceof PeerUnavailableError) return c.text(e.message, 502);
      throw e;
    }
  });

  app.post("/shared/:friend/:id/copy", async (c) => {
    const friend = c.req.param("friend");
    const back = `/shared/${friend}/${c.req.param("id")}`;
    const r = await remote(c, friend, c.req.param("id"));
    if ("unavailable" in r) return r.unavailable!;
    if ("error" in r) return c.notFound();
    // A large file takes a while: it copies in the background and a notification says when it is in.
    const name = r.item.name;
    void d.copier.copy(friend, r.item).then(
      (id) =>
        core.notifications.create({
          kind: "friends",
          title: `${name} from ${friend} is in your files`,
          body: "Copied and checked against its checksum.",
          link: `/browse/${id}`,
        }),
      (e) =>
        core.notifications.create({
          kind: "friends",
          level: "error",
          title: `Copying ${name} from ${friend} did not finish`,
          body: `${(e as Error).message}. Copy it again to resume.`,
          link: back,
        }),
    );
    return redirectWith(c, back, {
      ok: `Copying ${name} to your files: you will be notified when it is in.`,
    });
  });

  return app;
}
