/**
 * DNSCloud's HTTP surface in the cloud app (mounted at `/` by `edge/app.ts`):
 *   GET  /dns-query?dns=<base64url>           DoH (RFC 8484), public
 *   POST /dns-query  application/dns-message  DoH, public
 *   GET  /reg/v1/dns/snapshot                 DNS-front bearer → the snapshot (ETag / If-None-Match)
 *   POST /reg/v1/dns/acme-challenge           server-signed {name, value} → add a TXT value
 *   DELETE /reg/v1/dns/acme-challenge         server-signed {name, value?} → remove one / all
 * Every answer comes from the in-memory snapshot (rebuilt at most once a second), never a DB
 * query per request.
 */
import { base64url } from "jose";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { dnsFronts } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";
import { serverAuth, type ServerAuthEnv } from "../reg/server_auth.ts";
import { AcmeError, clearChallenge, setChallenge } from "./acme.ts";
import { frontAuth, type FrontAuthEnv } from "./front_auth.ts";
import { jsonBody } from "../../shared/web/json_body.ts";
import { minTtl, Responder } from "./resolver.ts";
import { type SnapshotOptions, SnapshotSource } from "./snapshot_db.ts";

export const DNS_MESSAGE = "application/dns-message";
const MAX_DOH_BYTES = 65_535;

const setBody = z.strictObject({ name: z.string().min(1).max(253), value: z.string().min(1).max(255) });
const clearBody = z.strictObject({
  name: z.string().min(1).max(253),
  value: z.string().min(1).max(255).optional(),
});

function decodeBase64Url(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(s) || s.length % 4 === 1) return undefined;
  return base64url.decode(s);
}

export function createDnsRoutes(deps: CloudDeps, opts: SnapshotOptions = {}): Hono {
  const source = new SnapshotSource(deps, {
    ...opts,
    cloudAddresses: opts.cloudAddresses ?? deps.publicAddresses ?? [],
  });
  let responder: { etag: string; r: Responder } | undefined;
  const currentResponder = async () => {
    const s = await source.current();
    if (responder?.etag !== s.etag) {
      if (responder) responder.r.update(s.snapshot);
      responder = { etag: s.etag, r: responder?.r ?? new Responder(s.snapshot) };
    }
    return responder.r;
  };

  const doh = async (query: Uint8Array | undefined): Promise<Response> => {
    if (!query || query.length < 12) {
      throw new HTTPException(400, { message: "Not a DNS message (expected at least a 12-byte header)" });
    }
    const answer = (await currentResponder()).respond(query, "doh");
    if (!answer) throw new HTTPException(400, { message: "Not a DNS query (the QR bit is set)" });
    if ((answer[3] & 0x0f) === 1 && answer[5] === 0) {
      throw new HTTPException(400, { message: "DNS message cannot be decoded (FORMERR)" });
    }
    return new Response(answer as Uint8Array<ArrayBuffer>, {
      headers: {
        "content-type": DNS_MESSAGE,
        "cache-control": `max-age=${minTtl(answer) ?? 0}`,
      },
    });
  };

  const app = new Hono();
  app.get("/dns-query", (c) => {
    const param = c.req.query("dns");
    if (!param) throw new HTTPException(400, { message: 'Missing "dns" query parameter' });
    const bytes = decodeBase64Url(param);
    if (!bytes) throw new HTTPException(400, { message: `"dns" parameter is not base64url without padding` });
    return doh(bytes);
  });
  app.post("/dns-query", async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== DNS_MESSAGE) {
      throw new HTTPException(415, { message: `Content-Type "${type}" is not ${DNS_MESSAGE}` });
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_DOH_BYTES) throw new HTTPException(413, { message: "DNS message is too large" });
    return doh(body);
  });

  const fronts = new Hono<FrontAuthEnv>();
  const seen = new Map<string, number>();
  fronts.use("/snapshot", frontAuth(deps));
  fronts.get("/snapshot", async (c) => {
    const id = c.get("frontId");
    if (deps.now() - (seen.get(id) ?? 0) > 60_000) {
      seen.set(id, deps.now());
      await deps.db.write(() =>
        deps.db.orm.update(dnsFronts).set({ lastSeenAt: deps.now() }).where(eq(dnsFronts.id, id))
      );
    }
    const s = await source.current();
    c.header("etag", s.etag);
    c.header("cache-control", "no-store");
    if (c.req.header("if-none-match") === s.etag) return c.body(null, 304);
    return c.json(s.snapshot);
  });

  const acme = new Hono<ServerAuthEnv>();
  acme.use(serverAuth(deps));
  const server = (c: { get: (k: "serverId" | "serverName") => string }) => ({
    id: c.get("serverId"),
    name: c.get("serverName"),
  });
  const acmeErrors = (e: unknown): never => {
    if (e instanceof AcmeError) throw new HTTPException(e.status, { message: e.message });
    throw e;
  };
  acme.post("/", jsonBody(setBody), async (c) => {
    const { name, value } = c.req.valid("json");
    return c.json(await setChallenge(deps, server(c), name, value).catch(acmeErrors));
  });
  acme.delete("/", jsonBody(clearBody), async (c) => {
    const { name, value } = c.req.valid("json");
    return c.json(await clearChallenge(deps, server(c), name, value).catch(acmeErrors));
  });

  app.route("/reg/v1/dns", fronts);
  app.route("/reg/v1/dns/acme-challenge", acme);
  return app;
}
