/** A phone paired with alice's server, for tests whose subject is what a phone does next. */
import { type Browser, type BrowserContext, devices, type Page } from "playwright-core";

/**
 * `owner` (signed in) asks for a pairing code; a new Pixel 7 context (touch, small screen) opens
 * its link and taps "Pair this device". The pairing itself is e2e/devices.test.ts's subject.
 */
export async function pairPhone(browser: Browser, owner: Page, origin: string): Promise<BrowserContext> {
  await owner.goto(`${origin}/devices`);
  await owner.getByRole("button", { name: "Pair a phone" }).click();
  await owner.waitForURL((u) => u.pathname.startsWith("/devices/pairings/"));
  const url = (await owner.locator(".pair-qr figcaption").innerText()).trim();
  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const p = await phone.newPage();
  await p.goto(url);
  await p.getByRole("button", { name: "Pair this device" }).tap();
  await p.waitForSelector("text=can now open alice's files");
  await p.close();
  return phone;
}
