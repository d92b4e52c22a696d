/**
 * The cloud tier as one Hono app: RegCloud, IdCloud and DNSCloud's DoH handler. Stateless: all
 * state is in the cloud DB, so any request can land on any instance. Exported for Deno Deploy.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../shared/log/mod.ts";
import type { CloudDeps } from "./deps.ts";
import { createRegRoutes } from "./reg/routes.ts";
import { createOidcRoutes } from "./id/oidc/mod.ts";
import { createDnsRoutes } from "./dns/routes.ts";
import { createIdRoutes } from "./id/mod.ts";
import { createLocalChallengeRoutes } from "./id/local_challenges.tsx";
import { createRegisterRoute } from "./reg/register_route.ts";
import { cloudSecureHeaders } from "./id/headers.ts";
import { createConsoleRoutes } from "./console/routes.tsx";
import { createUnsubscribeRoutes } from "./console/unsubscribe_routes.tsx";

export function createCloudApp(deps: CloudDeps): Hono {
  const app = new Hono();
  // Stricter than the user server's (shared/web/headers.ts): IdCloud's pages run no script at all.
  app.use(cloudSecureHeaders());
  app.get("/healthz", async (c) => {
    await deps.db.client.execute("select 1");
    return c.json({ ok: true, service: "cloud", zone: deps.zone });
  });
  app.route("/reg/v1/register", createRegisterRoute(deps)); // user servers register with a token
  app.route("/reg/v1", createRegRoutes(deps));
  app.route("/console", createConsoleRoutes(deps)); // operators only, 404 for anyone else (edge/console/)
  app.route("/", createDnsRoutes(deps)); // DoH, the DNS fronts' snapshot, ACME TXT (edge/dns/routes.ts)
  app.route("/", createOidcRoutes(deps)); // OpenID Connect provider on id.<zone> (edge/id/oidc/)
  app.route("/", createUnsubscribeRoutes(deps)); // RFC 8058 one-click unsubscribe from announcements
  app.route("/", createLocalChallengeRoutes(deps)); // a browser on the owner's own computer (edge/id/local_challenges.tsx)
  app.route("/", createIdRoutes(deps)); // IdCloud accounts: /signup, /login, /account/… (edge/id/)
  app.onError((err, c) => errorResponse(err, deps.log, c.req.method, c.req.path));
  app.notFound((c) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

function errorResponse(err: Error, log: Logger, method: string, path: string): Response {
  if (err instanceof HTTPException) {
    // A middleware's own answer (hono/bearer-auth's, with WWW-Authenticate) is kept as it is.
    if (err.res) return err.getResponse();
    return Response.json({ error: err.message }, { status: err.status });
  }
  log.error("request failed", { method, path, err });
  return Response.json({ error: "Internal error" }, { status: 500 });
}
