/**
 * Helpers for the friends tests: act as a user server's owner (on its relayed socket, with the
 * test owner cookie), read a CAPTCHA's answer from the asked server's log (config
 * `captchaAnswersInLog`), and sign peer requests as a server would (its own key, from its data dir).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importKeyPairPem } from "../shared/pki/mod.ts";
import { signRequest } from "../shared/httpsig/mod.ts";
import { SERVER_KEY_FILE } from "../platform/secrets.ts";
import { type Harness, ZONE } from "./harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

/** Restarts each user with the test owner cookie, readable CAPTCHAs and a 1 s share task. */
export async function friendsReady(h: Harness, users: string[]): Promise<void> {
  for (const u of users) {
    await restartUserWith(h, u, {
      testOwnerToken: TEST_OWNER_TOKEN,
      captchaAnswersInLog: true,
      friendCheckSeconds: 1,
    });
  }
  for (const u of users) {
    await h.waitFor(`${u}'s tunnels`, async () => (await h.tunnelsOf(u)).length === h.relaySpecs.length);
  }
}

export interface OwnerResponse {
  status: number;
  location: string | null;
  text: string;
}

/** Each owner's cookies besides the test owner's (the one-time notices a redirect leaves). */
const jars = new Map<string, Map<string, string>>();

/** A request by `user`'s owner to their own server (as their browser would make it, cookies kept). */
export async function asOwner(
  h: Harness,
  user: string,
  path: string,
  form?: Record<string, string>,
): Promise<OwnerResponse> {
  const origin = `https://${user}.${ZONE}:${h.user(user).publicPort}`;
  const jar = jars.get(user) ?? new Map<string, string>();
  jars.set(user, jar);
  const res = await fetch(`https://${user}.${ZONE}${path}`, {
    method: form ? "POST" : "GET",
    unix: join(h.dirs.users[user]!, "relayed.sock"),
    tls: { ca: h.caPem },
    redirect: "manual",
    headers: {
      cookie: [`__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`, ...[...jar].map(([k, v]) => `${k}=${v}`)].join(
        "; ",
      ),
      origin,
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  } as RequestInit);
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split(";");
    const at = pair.indexOf("=");
    const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
    else jar.set(name, value);
  }
  return { status: res.status, location: res.headers.get("location"), text: await res.text() };
}

/** A multipart POST by `user`'s owner to their own server (uploads); the raw response. */
export async function postFormAs(h: Harness, user: string, path: string, form: FormData): Promise<Response> {
  return await fetch(`https://${user}.${ZONE}${path}`, {
    method: "POST",
    unix: join(h.dirs.users[user]!, "relayed.sock"),
    tls: { ca: h.caPem },
    redirect: "manual",
    headers: {
      cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
      origin: `https://${user}.${ZONE}:${h.user(user).publicPort}`,
    },
    body: form,
  } as RequestInit);
}

/** The answer `asked` logged for the CAPTCHA `id`. */
export function captchaAnswer(h: Harness, asked: string, id: string): string {
  for (const line of h.output) {
    if (!line.startsWith(`user:${asked}: `) || !line.includes("captcha issued")) continue;
    try {
      const entry = JSON.parse(line.slice(`user:${asked}: `.length));
      if (entry.id === id) return entry.answer;
    } catch { /* not JSON */ }
  }
  throw new Error(`${asked} logged no CAPTCHA ${id}`);
}

/** The hidden challenge id on the "Ask <name>" page. */
export function challengeIdOf(html: string): string {
  const m = /name="challengeId" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`No CAPTCHA on the page:\n${html.slice(0, 2000)}`);
  return m[1]!;
}

/** The whole handshake from `from`'s side, answering right the first time. */
export async function askFriend(h: Harness, from: string, to: string): Promise<void> {
  const asked = await asOwner(h, from, "/friends/ask", { name: to });
  if (asked.location !== `/friends/ask/${to}`) {
    throw new Error(`ask ${to}: ${asked.status} ${asked.location}`);
  }
  const id = challengeIdOf((await asOwner(h, from, `/friends/ask/${to}`)).text);
  const sent = await asOwner(h, from, `/friends/ask/${to}`, {
    challengeId: id,
    answer: captchaAnswer(h, to, id),
  });
  if (sent.location !== "/friends") throw new Error(`answer ${to}: ${sent.status} ${sent.location}`);
}

/** A request to `to`'s peer API signed with `signer`'s server key (or another key), sent through relay A. */
export async function signedPeerRequest(
  h: Harness,
  { signer, to, path, key, deliverTo = to }: {
    signer: string;
    to: string;
    path: string;
    key?: CryptoKey;
    /** Where it is actually sent (default: `to`). */
    deliverTo?: string;
  },
): Promise<{ send: () => Promise<Response> }> {
  const privateKey = key ??
    (await importKeyPairPem(readFileSync(join(h.dirs.users[signer]!, SERVER_KEY_FILE), "utf8"))).privateKey;
  const relay = h.relaySpecs[0]!;
  const authority = `${to}.${ZONE}:${relay.browserPort}`;
  const signed = await signRequest(
    {
      method: "GET",
      authority,
      path: new URL(path, "https://x").pathname,
      query: new URL(path, "https://x").search,
      headers: {},
      body: "",
    },
    { keyId: signer, privateKey },
  );
  return {
    send: () =>
      fetch(`https://${relay.browserAddresses[0]}:${relay.browserPort}${path}`, {
        headers: { ...signed, host: `${deliverTo}.${ZONE}:${relay.browserPort}` },
        tls: { ca: h.caPem, serverName: `${deliverTo}.${ZONE}` },
      } as RequestInit),
  };
}
