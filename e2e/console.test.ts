/**
 * Issue #23's "Done when" in Chromium: an operator turns on TOTP and signs in with it, sees both
 * relays alive on the live console, relay B is killed and its row turns dead without a reload (SSE);
 * a non-operator gets 404; the operator suspends alice → her tunnels are gone within 5 s and her
 * attaches are refused with the reason; reinstated → her tunnel returns; deregistered → `dig` says
 * NXDOMAIN, and alice's own account page lists every action with the operator and reason.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import * as OTPAuth from "otpauth";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { makeOperator, type StackOperator } from "../testing/operator_helpers.ts";
import { clickAndNavigate, launchChromium, SCREENSHOTS, seriousAxeViolations } from "./browser.ts";

let h: Harness;
let op: StackOperator;
let browser: Browser;
let base: string;

beforeAll(async () => {
  h = await startHarness({ relays: 2, users: ["alice"], dns: true });
  op = await makeOperator(h);
  base = `https://id.${ZONE}:${new URL(h.cloudUrl).port}`;
  browser = await launchChromium({ trustCaPem: h.caPem, resolverRules: [`MAP id.${ZONE} 127.0.0.1`] });
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2, 60_000);
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function signIn(page: Page, email: string, password: string, totp?: OTPAuth.TOTP) {
  await page.goto(`${base}/login`);
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await clickAndNavigate(page, "main button[type=submit]");
  if (totp) {
    expect(new URL(page.url()).pathname).toBe("/login/totp");
    // The enrolment used this step's code; the next step's is within the window and unused.
    await page.fill("#f-code", totp.generate({ timestamp: Date.now() + 30_000 }));
    await clickAndNavigate(page, "main button[type=submit]");
  }
  expect(new URL(page.url()).pathname).toBe("/account");
}

async function dig(name: string): Promise<string> {
  const p = Bun.spawn(
    ["dig", `@${h.dns!.host}`, "-p", String(h.dns!.port), name, "A", "+tries=1", "+time=2"],
    {
      stdout: "pipe",
    },
  );
  const out = await new Response(p.stdout).text();
  await p.exited;
  return /status: ([A-Z]+)/.exec(out)?.[1] ?? "none";
}

async function act(page: Page, action: string, reason: string, note = "") {
  await page.goto(`${base}/console/users`);
  await page.selectOption("tr[data-server=alice] select[name=action]", action);
  await page.selectOption("tr[data-server=alice] select[name=reason]", reason);
  await page.fill("tr[data-server=alice] input[name=note]", note);
  await clickAndNavigate(page, "tr[data-server=alice] button[type=submit]");
}

test(
  "operator console: TOTP sign-in, live relays, suspend / reinstate / deregister alice; 404 for others",
  async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Without TOTP the operator role opens nothing.
    await signIn(page, op.email, op.password);
    expect((await page.goto(`${base}/console`))!.status()).toBe(404);
    await page.goto(`${base}/account/totp`);
    const totp = OTPAuth.URI.parse(
      (await page.locator("[data-otpauth-uri]").getAttribute("data-otpauth-uri"))!,
    ) as OTPAuth.TOTP;
    await page.fill("#f-code", totp.generate());
    await clickAndNavigate(page, "main button[type=submit]");
    await page.goto(`${base}/account/security`);
    await clickAndNavigate(page, 'header button:has-text("Sign out")');
    await signIn(page, op.email, op.password, totp);

    // Both relays alive; relay B killed turns dead on the open page (SSE, no reload).
    expect((await page.goto(`${base}/console`))!.status()).toBe(200);
    const row = (id: string) => page.locator(`tr[data-relay=${id}]`);
    expect(await row("relay-a").getAttribute("data-state")).toBe("alive");
    expect(await row("relay-b").getAttribute("data-state")).toBe("alive");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, "console-relays.png"), fullPage: true });
    const killedAt = performance.now();
    await h.processes.get("relay-b")!.kill();
    await h.waitFor(
      "relay B dead on the open console",
      async () => (await row("relay-b").getAttribute("data-state")) === "dead",
      30_000,
    ).catch(async (e) => {
      const res = await fetch(`${h.cloudUrl}/reg/v1/status`, {
        headers: { authorization: op.authorization },
        tls: { ca: h.caPem },
      });
      console.log("status:", await res.text(), "\npage:", await page.locator("#liveness").innerHTML());
      throw e;
    });
    console.log(
      `relay B killed → dead on the live console in ${(performance.now() - killedAt).toFixed(0)} ms`,
    );
    expect(await row("relay-a").getAttribute("data-state")).toBe("alive");
    await page.screenshot({ path: join(SCREENSHOTS, "console-relay-dead.png"), fullPage: true });
    await h.waitFor(
      "alice's tunnel at relay A",
      async () => (await h.tunnelsOf("alice")).includes("relay-a"),
    );

    // Suspend: tunnels gone within 5 s, attaches refused with the reason.
    const suspendedAt = performance.now();
    await act(page, "suspend", "abuse", "Phishing reported");
    expect(await page.locator("tr[data-server=alice]").getAttribute("data-state")).toBe("suspended");
    await h.waitFor("alice's tunnels gone", async () => (await h.tunnelsOf("alice")).length === 0, 5_000);
    console.log(`suspend → tunnels gone in ${(performance.now() - suspendedAt).toFixed(0)} ms`);
    await h.waitFor(
      "alice's attach refused with the reason",
      () =>
        h.output.some((l) => l.startsWith("user:alice") && l.includes("Server is suspended (reason: abuse)")),
      90_000, // the connector's backoff grows to 30 s, with full jitter
    ).catch((e) => {
      console.log(h.output.filter((l) => l.startsWith("user:alice")).slice(-12).join("\n"));
      throw e;
    });
    await page.screenshot({ path: join(SCREENSHOTS, "console-users-suspended.png"), fullPage: true });

    // Reinstate: her tunnel returns (after her connector's backoff).
    await act(page, "unsuspend", "other", "Owner removed the page");
    await h.waitFor("alice's tunnel again", async () => (await h.tunnelsOf("alice")).length > 0, 60_000);

    // Deregister: tunnels gone within 5 s and NXDOMAIN.
    const deregisteredAt = performance.now();
    await act(page, "deregister", "legal_order");
    await h.waitFor("alice's tunnels gone", async () => (await h.tunnelsOf("alice")).length === 0, 5_000);
    await h.waitFor("NXDOMAIN", async () => (await dig(`alice.${ZONE}`)) === "NXDOMAIN", 10_000);
    console.log(
      `deregister → tunnels gone and NXDOMAIN in ${(performance.now() - deregisteredAt).toFixed(0)} ms`,
    );
    await page.goto(`${base}/console/audit`);
    await page.screenshot({ path: join(SCREENSHOTS, "console-audit.png"), fullPage: true });

    // alice reads every action on her account page; the console is a 404 for her.
    const alice = h.accounts.find((a) => a.name === "alice")!;
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const ap = await ctx.newPage();
    await signIn(ap, alice.email, alice.password!);
    const audit = await ap.locator("#operator-actions tbody tr").allInnerTexts();
    expect(audit.map((r) => r.split("\t").slice(1, 5).join(" "))).toEqual([
      `${op.email} deregister alice legal_order`,
      `${op.email} unsuspend alice other`,
      `${op.email} suspend alice abuse`,
    ]);
    expect(await ap.locator("#operator-actions").innerText()).toContain("Phishing reported");
    expect(await seriousAxeViolations(ap)).toEqual([]);
    await ap.screenshot({ path: join(SCREENSHOTS, "console-account-audit.png"), fullPage: true });
    for (
      const path of ["/console", "/console/users", "/console/events", "/console/audit", "/console/api/users"]
    ) {
      expect((await ap.goto(`${base}${path}`))!.status()).toBe(404);
    }
    await ctx.close();
    await page.close();
  },
  400_000,
); // waits for a relay's death and a reinstated server's tunnels: more than 120 s when loaded
