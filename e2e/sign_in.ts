/** Signs a Chromium page in as a user server's owner, for real: its server → IdCloud login → back. */
import type { Page } from "playwright-core";
import type { Harness } from "../testing/harness.ts";
import { clickAndNavigate } from "./browser.ts";

/**
 * `origin` is the user server's public origin as the browser sees it; the browser must pin
 * `id.<zone>` to the cloud tier (see `idResolverRule`). The dev seed leaves TOTP off.
 */
export async function signInAsOwner(page: Page, h: Harness, user: string, origin: string): Promise<void> {
  const account = h.accounts.find((a) => a.name === user);
  if (!account?.password) throw new Error(`The harness did not seed an account for ${user}`);
  await page.goto(`${origin}/`);
  await page.waitForURL((u) => u.pathname === "/login");
  await page.fill('input[name="email"]', account.email);
  await page.fill('input[name="password"]', account.password);
  await clickAndNavigate(page, 'form[action="/login"] button[type="submit"]');
  await page.waitForURL((u) => u.origin === origin && !u.pathname.startsWith("/auth/"));
}

/** Chromium's resolver rule that sends `id.<zone>` to the cloud tier. */
export function idResolverRule(h: Harness, zone: string): string {
  return `MAP id.${zone} ${new URL(h.cloudUrl).hostname}`;
}
