/** Signs a Chromium page in as a user server's owner, for real: its server → IdCloud login → back. */
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import type { Harness } from "../testing/harness.ts";
import { clickAndNavigate, launchChromium } from "./browser.ts";

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

/**
 * Chromium opened on alice's server through relay-a (once her tunnel is up), trusting the dev CA,
 * with `id.<zone>` pinned to the cloud tier. `beforeSignIn` sees the page first (listeners that
 * must catch the sign-in pages too); `signIn: false` leaves the page signed out.
 */
export async function aliceThroughRelay(
  h: Harness,
  zone: string,
  {
    context = { viewport: { width: 1200, height: 800 } },
    beforeSignIn,
    signIn = true,
    resolverRules = [],
    chromiumArgs = [],
  }: {
    context?: BrowserContextOptions;
    beforeSignIn?: (page: Page) => void;
    signIn?: boolean;
    /** More names to pin (e.g. `local.alice.<zone>` to 127.0.0.1). */
    resolverRules?: string[];
    /** More Chromium switches (see `launchChromium`). */
    chromiumArgs?: string[];
  } = {},
): Promise<{ browser: Browser; page: Page; origin: string }> {
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
  const r = h.relay("relay-a");
  const origin = `https://alice.${zone}:${r.browserPort}`;
  const browser = await launchChromium({
    trustCaPem: h.caPem,
    resolverRules: [`MAP alice.${zone} ${r.browserAddresses[0]}`, idResolverRule(h, zone), ...resolverRules],
    args: chromiumArgs,
  });
  const page = await (await browser.newContext(context)).newPage();
  beforeSignIn?.(page);
  if (signIn) await signInAsOwner(page, h, "alice", origin);
  return { browser, page, origin };
}
