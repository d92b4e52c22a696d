/**
 * The owner check the shell is built around. Every user-data route sits behind ONE middleware,
 * `ShellAuth.requireOwner`, injected at boot: the OIDC relying party (`userserver/auth/`) provides
 * it. Without one, the relayed app refuses user data with a clear message (never "admit all").
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { constantTimeEqual } from "../../shared/crypto/mod.ts";

export interface SignedInViewer {
  name: string;
  isOwner?: boolean;
  /** The account's own Hearth servers (user names), as IdCloud said at sign-in. */
  servers?: string[];
}

export interface ShellAuth {
  /** Admits the owner; other signed-in accounts see "belongs to someone else" at `/` and 404 elsewhere; others are sent to sign in. */
  requireOwner: MiddlewareHandler;
  /** The signed-in account, if any; `isOwner` when it is the account that owns this server. */
  currentUser(
    c: Context,
  ): SignedInViewer | undefined | null | Promise<SignedInViewer | undefined | null>;
  /** Sign-in, callback and sign-out routes, mounted before the owner check. */
  routes?: Hono<any>;
}

export const TEST_OWNER_COOKIE = "__Host-hearth-test-owner";

/**
 * Tests only (config `testOwnerToken`): a browser presenting `__Host-hearth-test-owner=<token>`
 * is the owner; any other request gets 404, like a signed-in non-owner would. Logged loudly at start.
 */
export function testOwnerAuth(token: string, owner: string): ShellAuth {
  const isOwner = (c: Context) => {
    const got = getCookie(c, TEST_OWNER_COOKIE);
    return got !== undefined && constantTimeEqual(got, token);
  };
  return {
    requireOwner: async function requireTestOwner(c, next) {
      if (isOwner(c)) return await next();
      return c.text("Not found", 404);
    },
    currentUser: (c) => isOwner(c) ? { name: owner, isOwner: true } : undefined,
  };
}
