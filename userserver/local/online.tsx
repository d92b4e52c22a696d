/**
 * The online way in (issue #21): the local listener asks IdCloud for a challenge bound to this
 * server (a request signed with the server key), sends the browser to IdCloud to confirm it there
 * as the signed-in owner, and on the browser's return reads the answer once (signed again). The
 * challenge is also bound to the browser that started it (`__Host-hearth-local-challenge`, a
 * random secret of which only the hash is kept), so a confirmed challenge is no use to another
 * browser — and a link someone else started cannot sign the owner's browser in to their session.
 */
import { createHash } from "node:crypto";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { constantTimeEqual, randomToken } from "../../shared/crypto/mod.ts";
import { type CloudAccess, CloudRequestError, signedCloudPost } from "../connector/cloud.ts";
import { Layout } from "../web/layout_public.tsx";
import { grantSession, safeNext } from "./routes.tsx";
import type { LocalSessions } from "./sessions.ts";

const CHALLENGE_COOKIE_NAME = "hearth-local-challenge";
export const CHALLENGE_COOKIE = `__Host-${CHALLENGE_COOKIE_NAME}`;
const PENDING_MS = 5 * 60_000;
const MAX_PENDING = 100;

export interface OnlineOptions {
  /** The signed cloud access, once registered. */
  cloud: CloudAccess | undefined;
  /** IdCloud's origin (with port in dev): where the browser confirms. */
  idOrigin: string;
  /** This listener's origin: where IdCloud sends the browser back. */
  localOrigin: string;
  sessions: LocalSessions;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function problem(c: Context, status: 403 | 502 | 503, title: string, why: string) {
  c.header("cache-control", "no-store");
  return c.html(
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{why}</p>
      <p class="muted">
        Without the internet, run <code>bun run userserver open</code> in a terminal on this computer instead.
      </p>
      <p>
        <a href="/local/signin">Back to signing in</a>
      </p>
    </Layout>,
    status,
  );
}

export function onlineRoutes({ cloud, idOrigin, localOrigin, sessions }: OnlineOptions): Hono {
  const app = new Hono();
  /** Challenges this server started, by id: the browser secret's hash, where to go, until when. */
  const pending = new Map<string, { secretHash: string; next: string; expires: number }>();

  app.post("/local/challenge", async (c) => {
    if (!cloud) {
      return problem(c, 503, "Not registered yet", "This server is not registered with the cloud tier.");
    }
    const form = await c.req.parseBody();
    let res: Response;
    try {
      res = await signedCloudPost(cloud, "/id/v1/local-challenges", {
        returnTo: `${localOrigin}/local/return`,
      });
    } catch (e) {
      if (!(e instanceof CloudRequestError)) throw e;
      return problem(c, 503, "IdCloud cannot be reached", "This computer cannot reach Hearth ID right now.");
    }
    if (res.status !== 201) {
      return problem(
        c,
        502,
        "IdCloud said no",
        `Hearth ID refused the sign-in request (HTTP ${res.status}).`,
      );
    }
    const { id, confirmPath } = await res.json() as { id: string; confirmPath: string };
    const secret = randomToken(24);
    const now = Date.now();
    for (const [k, p] of pending) if (p.expires < now || pending.size >= MAX_PENDING) pending.delete(k);
    pending.set(id, {
      secretHash: sha(secret),
      next: safeNext(String(form.next ?? "")),
      expires: now + PENDING_MS,
    });
    // Lax: the browser must send it on the top-level navigation back from IdCloud.
    setCookie(c, CHALLENGE_COOKIE_NAME, `${id}.${secret}`, {
      prefix: "host",
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: PENDING_MS / 1000,
    });
    return c.redirect(`${idOrigin}${confirmPath}`, 303);
  });

  app.get("/local/return", async (c) => {
    const id = c.req.query("c") ?? "";
    const [cookieId, secret] = (getCookie(c, CHALLENGE_COOKIE) ?? "").split(".");
    const p = pending.get(id);
    deleteCookie(c, CHALLENGE_COOKIE_NAME, { path: "/", secure: true, prefix: "host" });
    if (
      !p || cookieId !== id || !secret || !constantTimeEqual(sha(secret), p.secretHash) ||
      p.expires < Date.now()
    ) {
      return problem(c, 403, "Not signed in", "This sign-in was started in another browser, or has expired.");
    }
    pending.delete(id);
    if (!cloud) {
      return problem(c, 503, "Not registered yet", "This server is not registered with the cloud tier.");
    }
    let answer: { confirmed?: boolean; account?: string; reason?: string };
    try {
      answer =
        await (await signedCloudPost(cloud, `/id/v1/local-challenges/${encodeURIComponent(id)}/result`, {}))
          .json();
    } catch (e) {
      if (!(e instanceof CloudRequestError)) throw e;
      return problem(c, 503, "IdCloud cannot be reached", "This computer cannot reach Hearth ID right now.");
    }
    if (!answer.confirmed) {
      return problem(
        c,
        403,
        "Not signed in",
        `Hearth ID did not confirm this sign-in (${answer.reason ?? "refused"}).`,
      );
    }
    grantSession(c, sessions, "online", answer.account);
    return c.redirect(p.next, 303);
  });
  return app;
}
