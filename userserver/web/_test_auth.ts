/** Test helper: a sign-in whose signed-in account a test switches (the owner alice, another account, nobody). */
import type { MiddlewareHandler } from "hono";
import type { ShellAuth } from "./auth.ts";

export interface SwitchableAuth {
  auth: ShellAuth;
  /** Signs in `name` (undefined: nobody) until the next call. */
  signIn(name: string | undefined): void;
}

export function switchableAuth(owner = "alice"): SwitchableAuth {
  let who: string | undefined = owner;
  const auth: ShellAuth = {
    requireOwner: async function requireOwner(c, next) {
      if (!who) return c.redirect("https://id.hearth.localhost/authorize", 302);
      if (who !== owner) return c.text("Not found", 404);
      await next();
    } as MiddlewareHandler,
    currentUser: () => (who ? { name: who } : undefined),
  };
  return { auth, signIn: (name) => void (who = name) };
}
