/** Requests signed with a user server's key (see shared/auth/server_request.ts). */
import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { servers } from "../../shared/db/cloud/schema.ts";
import { claimedServerId, ServerAuthError, verifyServerRequest } from "../../shared/auth/server_request.ts";
import type { CloudDeps } from "../deps.ts";
import { rememberJti } from "../jti.ts";

export type ServerAuthEnv = { Variables: { serverId: string; serverName: string; body: string } };

export function serverAuth(deps: CloudDeps) {
  return createMiddleware<ServerAuthEnv>(async function serverAuth(c, next) {
    const header = c.req.header("authorization");
    const body = await c.req.text();
    try {
      const serverId = claimedServerId(header);
      const row = await deps.db.orm.select().from(servers).where(eq(servers.id, serverId));
      if (!row[0]) throw new ServerAuthError(`Server "${serverId}" is not registered`);
      await verifyServerRequest(header, JSON.parse(row[0].publicKeyJwk), {
        method: c.req.method,
        path: new URL(c.req.url).pathname,
        body,
      }, {
        // Namespaced apart from OIDC client assertions (whose client ids are server ids too).
        rememberJti: (jti, expiresAtMs) => rememberJti(deps, `server-request:${jti}`, expiresAtMs + 10_000),
      });
      // A deregistered server may no longer act at the cloud tier (edge/console/server_state.ts);
      // the answer names the reason, for its owner's logs. A suspended one still may: it learns
      // its state from the refused attaches, and is reinstated without re-registering.
      if (row[0].state === "deregistered") {
        throw new HTTPException(403, {
          message: `Server "${row[0].name}" is deregistered (reason: ${row[0].stateReason ?? "other"})`,
        });
      }
      c.set("serverId", serverId);
      c.set("serverName", row[0].name);
      c.set("body", body);
    } catch (e) {
      if (e instanceof ServerAuthError) throw new HTTPException(401, { message: e.message });
      throw e;
    }
    await next();
  });
}
