/**
 * Chromium reaches alice's page through a relay, by her public name, trusting only the dev CA:
 * the page loads only if the certificate that arrives through the relay is alice's own.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { launchChromium, SCREENSHOTS } from "./browser.ts";

let h: Harness;
const browsers: Browser[] = [];
beforeAll(async () => {
  h = await startHarness({ relays: 2, users: ["alice"] });
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2);
});
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await h?.stop();
});

for (const id of ["relay-a", "relay-b"]) {
  test(`Chromium opens alice's server by name through ${id}`, async () => {
    const r = h.relay(id);
    const browser = await launchChromium({
      trustCaPem: h.caPem,
      resolverRules: [`MAP alice.${ZONE} ${r.browserAddresses[0]}`],
    });
    browsers.push(browser);
    const page = await browser.newPage();
    // A public page of alice's server (the rest needs her to sign in: see e2e/oidc.test.ts).
    const res = await page.goto(`https://alice.${ZONE}:${r.browserPort}/auth/logged-out`);
    expect(res?.status()).toBe(200);
    expect(await page.locator("h1").innerText()).toContain("You are signed out");
    const security = await res!.securityDetails();
    expect(security?.subjectName).toBe(`alice.${ZONE}`);
    expect(security?.issuer).toMatch(/^Hearth /); // the cloud tier's issuer, under the dev CA
    await page.screenshot({ path: join(SCREENSHOTS, `relayed-home-${id}.png`) });
  });
}
