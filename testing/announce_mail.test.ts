/**
 * Announcements end to end (issue #23): the cloud tier (a real process) mails through a real SMTP
 * receiver (`smtp-server`). An operator's script announces to a subset (accounts active in the last
 * day: alice, whose server holds a tunnel) and exactly that subset receives it, with RFC 8058
 * headers; the one-click POST to the List-Unsubscribe URL (no cookie, no Origin, as a mail provider
 * sends it) unsubscribes alice, and the next announcement to everyone skips her.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { freePort, type Harness, startHarness } from "./harness.ts";
import { cloudCommand, makeOperator, type StackOperator } from "./operator_helpers.ts";

let h: Harness;
let smtp: SMTPServer;
let op: StackOperator;
const received: { to: string[]; raw: string }[] = [];

beforeAll(async () => {
  const smtpPort = freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, "127.0.0.1", resolve));
  h = await startHarness({ relays: 1, users: ["alice"] });
  const configFile = join(h.dirs.cloud, "config.json");
  const cfg = JSON.parse(readFileSync(configFile, "utf8"));
  cfg.mail = { transport: "smtp", host: "127.0.0.1", port: smtpPort };
  writeFileSync(configFile, JSON.stringify(cfg, null, 2));
  await h.processes.get("cloud")!.stop();
  await h.start("cloud");
  op = await makeOperator(h);
  await cloudCommand(h, ["seed-account", "--email=carol@hearth.localhost"]);
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length > 0, 60_000);
});
afterAll(async () => {
  await h?.stop();
  await new Promise<void>((resolve) => smtp ? smtp.close(() => resolve()) : resolve());
});

async function announce(subject: string, filter: Record<string, unknown>) {
  const res = await fetch(`${h.cloudUrl}/console/api/announcements`, {
    method: "POST",
    headers: { authorization: op.authorization, "content-type": "application/json" },
    body: JSON.stringify({ subject, body: "Relays restart on Sunday at 02:00 UTC.", filter }),
    tls: { ca: h.caPem },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { recipients: number };
}

const to = (subject: string) =>
  received.filter((m) => m.raw.includes(`Subject: ${subject}`)).flatMap((m) => m.to).sort();

/** A header's value, unfolded (long headers are folded over several lines). */
function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
  return new RegExp(`^${name}: (.*)$`, "mi").exec(head)?.[1];
}

/** Who a filter reaches now, as the cloud sees it (a preview sends nothing). */
async function previewOf(filter: Record<string, unknown>): Promise<string[]> {
  const res = await fetch(`${h.cloudUrl}/console/api/announcements`, {
    method: "POST",
    headers: { authorization: op.authorization, "content-type": "application/json" },
    body: JSON.stringify({ subject: "preview", body: "preview", filter, preview: true }),
    tls: { ca: h.caPem },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { recipients: string[] }).recipients;
}

test("an announcement reaches exactly its subset, and one-click unsubscribe stops the next one", async () => {
  // The cloud was restarted above: alice counts as active once a relay's heartbeat (or her tunnel's
  // event) has reached the new process — her server held its tunnel throughout, so this is the
  // cloud catching up, not alice attaching.
  await h.waitFor(
    "the cloud to see alice's tunnel",
    async () => (await previewOf({ activeDays: 1 })).length > 0,
    60_000,
  );
  expect(await previewOf({ activeDays: 1 })).toEqual(["alice@hearth.localhost"]);
  expect(await announce("Maintenance A", { activeDays: 1 })).toEqual({ recipients: 1 });
  await h.waitFor("the announcement delivered", () => to("Maintenance A").length === 1, 30_000);
  expect(to("Maintenance A")).toEqual(["alice@hearth.localhost"]);
  const mail = received.find((m) => m.raw.includes("Subject: Maintenance A"))!;
  expect(header(mail.raw, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
  const url = /^<(https:\/\/[^>]+)>$/.exec(header(mail.raw, "List-Unsubscribe") ?? "")?.[1];
  expect(url).toBeDefined();

  // As a mail provider does it: a POST to the link, no cookie, no Origin. The link names IdCloud's
  // origin; the cloud tier is reached by address.
  const res = await fetch(`${h.cloudUrl}${new URL(url!).pathname}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
    tls: { ca: h.caPem },
  });
  expect(res.status).toBe(200);

  expect(await announce("Maintenance B", {})).toEqual({ recipients: 2 });
  await h.waitFor("the second announcement delivered", () => to("Maintenance B").length === 2, 30_000);
  expect(to("Maintenance B")).toEqual(["carol@hearth.localhost", op.email]);
});
