/**
 * The console's door. Anyone who is not an operator gets 404 on every console route, signed in
 * or not — the console's existence is not advertised. An operator is:
 * - a browser with an IdCloud session of an account that holds the operator role AND has TOTP
 *   enabled (its session was created after the second factor, edge/id/routes.tsx /login/totp);
 * - or a script with `Authorization: Bearer hop_<id>.<secret>` (an operator token, see
 *   operators.ts): checked by the cloud's one bearer helper (reg/credential_auth.ts), so a wrong
 *   token is a 401 with `WWW-Authenticate`, as for relays and DNS fronts.
 * `viaToken` tells the routes which: only token requests may skip the CSRF check on POSTs.
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { CloudDeps } from "../deps.ts";
import { getSession } from "../id/session.ts";
import { credentialAuth } from "../reg/credential_auth.ts";
import type { Actor } from "./audit.ts";
import { type Operator, operatorOf, operatorToken } from "./operators.ts";

export type OperatorEnv = { Variables: { operator: Operator; viaToken: boolean } };

export function operatorOnly(deps: CloudDeps): MiddlewareHandler<OperatorEnv> {
  const byToken = credentialAuth({
    what: "Operator",
    hashOf: async (id) => (await operatorToken(deps, id))?.hash,
    admit: () => {},
  });
  return async function operatorOnly(c, next) {
    if (c.req.header("authorization") !== undefined) {
      // credentialAuth admits or throws 401; the account is read again for the context.
      return await byToken(c, async () => {
        const token = (c.req.header("authorization") ?? "").replace(/^Bearer\s+/i, "");
        const row = await operatorToken(deps, token.slice(0, token.indexOf(".")));
        if (!row) throw notFound(c);
        c.set("operator", { accountId: row.accountId, email: row.email });
        c.set("viaToken", true);
        await next();
      });
    }
    const s = await getSession(c as unknown as Context, deps);
    const op = s?.totpEnabled ? await operatorOf(deps, s.accountId) : undefined;
    if (!op) throw notFound(c);
    c.set("operator", op);
    c.set("viaToken", false);
    await next();
  };
}

export function actorOf(op: Operator): Actor {
  return { accountId: op.accountId, email: op.email };
}

/** The same answer as a path that does not exist (edge/app.ts `notFound`). */
function notFound(c: Context<any>): HTTPException {
  return new HTTPException(404, { message: `No route for ${c.req.method} ${c.req.path}` });
}
