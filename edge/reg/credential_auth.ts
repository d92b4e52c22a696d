/**
 * The cloud tier's machine credentials, `Authorization: Bearer <id>.<secret>`, checked with
 * hono/bearer-auth: relays (relay_auth.ts) and DNS fronts (dns/front_auth.ts) each have their own,
 * and the cloud DB keeps only SHA-256(secret), compared in constant time. The verified id is put
 * in the context for the routes; failures are 401 with `WWW-Authenticate` and a JSON sentence.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { constantTimeEqual, sha256Hex } from "../../shared/crypto/mod.ts";

export interface CredentialAuthOptions {
  /** "Relay", "DNS front": the sentences name the kind of client. */
  what: string;
  /** The stored SHA-256 hex of the secret for `id`, or undefined for an unknown id. */
  hashOf(id: string): Promise<string | undefined>;
  /** Records the verified id (`c.set(...)`). */
  admit(c: Context<any>, id: string): void;
}

export function credentialAuth(o: CredentialAuthOptions): MiddlewareHandler {
  return bearerAuth({
    realm: "hearth",
    noAuthenticationHeader: {
      message: { error: `${o.what} credential missing (Authorization: Bearer <id>.<secret>)` },
    },
    invalidAuthenticationHeader: {
      message: { error: `${o.what} credential is malformed (Authorization: Bearer <id>.<secret>)` },
    },
    invalidToken: { message: { error: `${o.what} credential is not valid` } },
    verifyToken: async (token, c) => {
      const dot = token.indexOf(".");
      if (dot < 1) return false;
      const id = token.slice(0, dot);
      const stored = await o.hashOf(id);
      const hash = await sha256Hex(token.slice(dot + 1));
      if (!stored || !constantTimeEqual(stored, hash)) return false;
      o.admit(c, id);
      return true;
    },
  });
}
