/**
 * Chromium opens alice's local page by its name, trusting only the dev CA: the page loads only if
 * the certificate the user server presents is valid for `local.alice.hearth.localhost`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { launchChromium, SCREENSHOTS } from "./browser.ts";

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await startHarness({ relays: 0, users: ["alice"] });
  browser = await launchChromium({
    trustCaPem: h.caPem,
    resolverRules: [`MAP local.alice.${ZONE} 127.0.0.1`],
  });
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

test("the local listener's landing page renders in Chromium with alice's certificate", async () => {
  const page = await browser.newPage();
  const res = await page.goto(`https://local.alice.${ZONE}:${h.user("alice").localPort}/`);
  expect(res?.status()).toBe(200);
  expect(await page.locator("h1").innerText()).toContain("Hearth is running");
  expect(await page.locator("main").innerText()).toContain("alice's personal cloud");
  expect(await page.title()).toBe("Hearth · alice");
  await page.screenshot({ path: join(SCREENSHOTS, "local-landing.png") });
  await page.close();
});

test("a name the certificate does not cover is refused by the browser", async () => {
  const b = await launchChromium({ trustCaPem: h.caPem, resolverRules: [`MAP bob.${ZONE} 127.0.0.1`] });
  try {
    const page = await b.newPage();
    await expect(page.goto(`https://bob.${ZONE}:${h.user("alice").localPort}/`)).rejects.toThrow(
      /ERR_CERT_COMMON_NAME_INVALID/,
    );
  } finally {
    await b.close();
  }
});
