/**
 * Proving a browser on the owner's own computer (issue #21), online: her user server makes a
 * challenge here (a request signed with its server key, naming where the browser comes back to on
 * its local listener), sends the browser to confirm it, and reads the answer once. Only the
 * server's owner, signed in here (with her second factor), can confirm; a challenge lives five
 * minutes and is deleted when read, so it cannot be replayed.
 */
import { and, eq, lt } from "drizzle-orm";
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { accounts, localChallenges, servers } from "../../shared/db/cloud/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { serverAuth, type ServerAuthEnv } from "../reg/server_auth.ts";
import { idCsrf } from "./csrf.tsx";
import { getSession, type SessionInfo } from "./session.ts";
import * as v from "./views.tsx";

export const LOCAL_CHALLENGE_MS = 5 * 60_000;

/** The only place a confirmed browser may be sent: the server's own local listener. */
export function localReturnOk(returnTo: string, serverName: string, zone: string): boolean {
  let u: URL;
  try {
    u = new URL(returnTo);
  } catch {
    return false;
  }
  return u.protocol === "https:" && u.hostname === `local.${serverName}.${zone}` &&
    u.pathname === "/local/return" &&
    u.search === "" && u.hash === "" && u.username === "" && u.password === "";
}

export function createLocalChallengeRoutes(deps: CloudDeps): Hono {
  const app = new Hono();
  const now = () => Date.now();
  const sweep = () =>
    deps.db.write(() => deps.db.orm.delete(localChallenges).where(lt(localChallenges.expiresAt, now())));

  // The server's side: make a challenge; read its answer once.
  const api = new Hono<ServerAuthEnv>();
  api.use(serverAuth(deps));
  api.post("/", async (c) => {
    const parsed = z.object({ returnTo: z.string().max(300) }).strict().safeParse(safeJson(c.var.body));
    if (!parsed.success) return c.json({ error: "The body must be {returnTo}" }, 400);
    if (!localReturnOk(parsed.data.returnTo, c.var.serverName, deps.zone)) {
      return c.json({
        error: `returnTo must be https://local.${c.var.serverName}.${deps.zone}[:port]/local/return`,
      }, 400);
    }
    await sweep();
    const id = randomToken(24);
    const expiresAt = now() + LOCAL_CHALLENGE_MS;
    await deps.db.write(() =>
      deps.db.orm.insert(localChallenges).values({
        id,
        serverId: c.var.serverId,
        returnTo: parsed.data.returnTo,
        expiresAt,
      })
    );
    return c.json({ id, confirmPath: `/local/confirm/${id}`, expiresAt }, 201);
  });
  api.post("/:id/result", async (c) => {
    const id = c.req.param("id");
    const where = and(eq(localChallenges.id, id), eq(localChallenges.serverId, c.var.serverId));
    const row = (await deps.db.orm.select().from(localChallenges).where(where))[0];
    if (!row) return c.json({ confirmed: false, reason: "unknown" }, 404);
    await deps.db.write(() => deps.db.orm.delete(localChallenges).where(where)); // read once
    if (row.expiresAt < now()) return c.json({ confirmed: false, reason: "expired" });
    if (!row.confirmedBy) return c.json({ confirmed: false, reason: "not confirmed" });
    const account = (await deps.db.orm.select({ email: accounts.email }).from(accounts).where(
      eq(accounts.id, row.confirmedBy),
    ))[0];
    return c.json({ confirmed: true, account: account?.email ?? "" });
  });
  app.route("/id/v1/local-challenges", api);

  // The owner's side, signed in here: confirm.
  type Env = { Variables: { s: SessionInfo } };
  const requireSession: MiddlewareHandler<Env> = async (c, next) => {
    const s = await getSession(c, deps);
    if (!s) return c.redirect(`/login?return_to=${encodeURIComponent(c.req.path)}`, 303);
    c.set("s", s);
    await next();
  };
  const pending = async (id: string, accountId: string) => {
    const row = (await deps.db.orm.select().from(localChallenges).where(eq(localChallenges.id, id)))[0];
    if (!row || row.expiresAt < now()) {
      return { error: "This sign-in request has expired. Start again on that computer." };
    }
    const server = (await deps.db.orm.select().from(servers).where(eq(servers.id, row.serverId)))[0];
    if (!server || server.accountId !== accountId) {
      return { error: "This sign-in request is for a server that is not yours." };
    }
    return { row, server };
  };
  const confirm = new Hono<Env>();
  confirm.get("/local/confirm/:id", requireSession, async (c) => {
    const p = await pending(c.req.param("id"), c.var.s.accountId);
    if ("error" in p) return c.html(<v.ErrorPage status={404} message={p.error!} />, 404);
    c.header("cache-control", "no-store");
    return c.html(
      <v.LocalConfirmPage chrome={{ email: c.var.s.email }} name={p.server.name} action={c.req.path} />,
    );
  });
  confirm.post("/local/confirm/:id", idCsrf(deps), requireSession, async (c) => {
    const p = await pending(c.req.param("id"), c.var.s.accountId);
    if ("error" in p) return c.html(<v.ErrorPage status={404} message={p.error!} />, 404);
    await deps.db.write(() =>
      deps.db.orm.update(localChallenges).set({ confirmedBy: c.var.s.accountId }).where(
        eq(localChallenges.id, p.row.id),
      )
    );
    return c.redirect(`${p.row.returnTo}?c=${encodeURIComponent(p.row.id)}`, 303);
  });
  app.route("/", confirm);
  return app;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
