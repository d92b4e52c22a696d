/**
 * IdCloud's account pages, mounted at the root of the cloud app (edge/app.ts): /signup, /verify,
 * /login (+ /login/totp), /signout, /reset, /account/…, /email/confirm (the registration API a
 * user server calls lives in edge/reg/register_route.ts). Every POST needs an `Origin` header
 * equal to this origin (CSRF); forms post and redirect, so no JavaScript is needed.
 *
 * Throttling (edge/throttle.ts): token buckets per IP for sign-up, login, TOTP and reset, per
 * address for mail; failure bans per email address and per IP for passwords and TOTP codes.
 */
import { idCsrf } from "./csrf.tsx";
import { clientIp } from "../conninfo.ts";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CloudDeps } from "../deps.ts";
import { desc, sql } from "drizzle-orm";
import { relays } from "../../shared/db/cloud/schema.ts";
import {
  clearFailures,
  LIMITS,
  LOGIN_FAILURES_ACCOUNT,
  LOGIN_FAILURES_IP,
  longestBan,
  recordFailure,
  SECOND_FACTOR_FAILURES,
  secondFactorKey,
  takeToken,
} from "../throttle.ts";
import * as acc from "./accounts.ts";
import { accountServers, claimName, RegistrationError } from "./registration.ts";
import {
  createSession,
  endSession,
  getSession,
  revokeSession,
  safeReturnTo,
  type SessionInfo,
} from "./session.ts";
import { newTotpSecret, totpQrSvg, totpUri } from "./totp.ts";
import { isKnownDevice, mailLockout, rememberDevice } from "./known_devices.ts";
import * as v from "./views.tsx";
import { ID_SCRIPT_PATH, SCRIPT_PAGE_CSP, serveIdScript } from "./static.ts";
import { auditOf } from "../console/audit.ts";
import { usageByDay } from "../console/metering.ts";

const CHALLENGE_COOKIE = "hearth_login";

/** What the account pages read once `requireSession` let them in. */
type SignedIn = { Variables: { s: SessionInfo; chrome: { email: string } } };

function throttled(c: Context, ms: number, what: string) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  c.header("Retry-After", String(seconds));
  return c.html(<v.ThrottledPage seconds={seconds} what={what} />, 429);
}

async function form(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody().catch(() => ({}));
  return Object.fromEntries(
    Object.entries(body).map(([k, val]) => [k, typeof val === "string" ? val.slice(0, 2048) : ""]),
  );
}

/**
 * Servers' public addresses as browsers reach them: `https://<name>.<zone>`, with the relays' browser
 * port when it is not 443 (dev: 8443) — the port most relays serve browsers on, read once per page.
 */
async function withPublicUrls<T extends { name: string }>(
  deps: CloudDeps,
  list: T[],
): Promise<(T & { url: string })[]> {
  const row = await deps.db.orm.select({ port: relays.browserPort, n: sql<number>`count(*)` }).from(relays)
    .groupBy(relays.browserPort).orderBy(desc(sql`count(*)`)).limit(1);
  const port = row[0]?.port ?? 443;
  return list.map((s) => ({
    ...s,
    url: `https://${s.name}.${deps.zone}${port === 443 ? "" : `:${port}`}`,
  }));
}

export function createIdRoutes(deps: CloudDeps): Hono {
  const app = new Hono();
  const csrf = idCsrf(deps);

  /** The account pages' door: signed in, or off to the login page and back here afterwards. */
  const requireSession: MiddlewareHandler<SignedIn> = async (c, next) => {
    const s = await getSession(c, deps);
    if (!s) return c.redirect(`/login?return_to=${encodeURIComponent(c.req.path)}`, 303);
    c.set("s", s);
    c.set("chrome", { email: s.email });
    await next();
  };

  app.get(ID_SCRIPT_PATH, serveIdScript);
  app.get("/", async (c) => c.redirect((await getSession(c, deps)) ? "/account" : "/login", 303));

  // ------------------------------------------------------------------ sign-up and verification
  app.get("/signup", (c) => c.html(<v.SignupPage />));
  app.post("/signup", csrf, async (c) => {
    const f = await form(c);
    const wait = await takeToken(deps, `signup:ip:${clientIp(c)}`, LIMITS.signup);
    if (wait) return throttled(c, wait, "Too many sign-ups from your network.");
    const res = await acc.signUp(deps, f.email ?? "", f.password ?? "");
    if (!res.ok) return c.html(<v.SignupPage email={f.email} errors={{ [res.field]: res.message }} />, 400);
    return c.html(<v.CheckMailPage email={acc.normalizeEmail(f.email)} what="verify" />);
  });
  app.post("/verify/resend", csrf, async (c) => {
    const email = acc.normalizeEmail((await form(c)).email ?? "");
    const ipWait = await takeToken(deps, `reset:ip:${clientIp(c)}`, LIMITS.reset);
    if (ipWait) return throttled(c, ipWait, "Too many requests from your network.");
    // Quietly drop mail beyond the per-address budget: the answer is the same either way.
    if (!(await takeToken(deps, `mail:${email}`, LIMITS.mail))) {
      const account = await acc.findAccountByEmail(deps, email);
      if (account && account.emailVerifiedAt == null) await acc.sendVerifyMail(deps, account);
    }
    return c.html(<v.CheckMailPage email={email} what="verify" />);
  });
  app.get("/verify/:token", async (c) => {
    const t = await acc.verifyEmail(deps, c.req.param("token"));
    if (t.ok) {
      return c.html(
        <v.LinkResultPage
          ok
          title="Email confirmed"
          message="Your address is confirmed and your account is ready."
          action={{ href: "/login", label: "Sign in" }}
        />,
      );
    }
    return c.html(linkFailure(t.reason, "confirmation"), t.reason === "invalid" ? 404 : 410);
  });

  // ------------------------------------------------------------------ login
  app.get("/login", async (c) => {
    const returnTo = safeReturnTo(c.req.query("return_to"));
    if (c.req.query("reauth") === "1" && await getSession(c, deps)) {
      return c.html(
        <v.LoginPage
          returnTo={returnTo}
          notice={{
            kind: "info",
            text: "Please sign in again to confirm it's you. You stay signed in until you do.",
          }}
        />,
      );
    }
    if (await getSession(c, deps)) return c.redirect(returnTo, 303);
    return c.html(<v.LoginPage returnTo={returnTo} />);
  });
  app.post("/login", csrf, async (c) => {
    const f = await form(c);
    const ip = clientIp(c);
    const email = acc.normalizeEmail(f.email ?? "");
    const returnTo = safeReturnTo(f.return_to);
    const wait = await takeToken(deps, `login:ip:${ip}`, LIMITS.login);
    if (wait) return throttled(c, wait, "Too many sign-in attempts from your network.");
    const keys = [`fail:login:${email}`, `fail:ip:${ip}`];
    // A browser that signed in to this account before is not held by the account's lock (only by
    // its own address's): wrong passwords from elsewhere cannot lock the owner out.
    const account = await acc.findAccountByEmail(deps, email);
    const known = account ? await isKnownDevice(c, deps, account.id) : false;
    const ban = await longestBan(deps, known ? [keys[1]] : keys);
    if (ban) return throttled(c, ban, "Too many failed sign-ins.");
    const res = await acc.checkPassword(deps, email, f.password ?? "");
    if (!res.ok && res.reason === "wrong") {
      const accountBan = await recordFailure(deps, keys[0], LOGIN_FAILURES_ACCOUNT);
      const ipBan = await recordFailure(deps, keys[1], LOGIN_FAILURES_IP);
      const banned = known ? ipBan : Math.max(accountBan, ipBan);
      // Unknown devices reach here only while the account is not locked: this failure started it.
      if (accountBan && !known && account) {
        await mailLockout(deps, account.email, Math.ceil(accountBan / 60_000));
      }
      if (banned) return throttled(c, banned, "Too many failed sign-ins.");
      return c.html(
        <v.LoginPage
          email={f.email}
          returnTo={returnTo}
          notice={{ kind: "error", text: "That email and password don't match. Check both and try again." }}
        />,
        401,
      );
    }
    await clearFailures(deps, keys[0]);
    if (!res.ok) return c.html(<v.UnverifiedPage email={email} />, 403);
    if (res.account.totpEnabledAt != null) {
      const value = await acc.createChallenge(deps, res.account.id, returnTo);
      setCookie(c, CHALLENGE_COOKIE, value, {
        prefix: "host",
        path: "/",
        secure: true,
        httpOnly: true,
        sameSite: "Lax",
        maxAge: acc.CHALLENGE_TTL_MS / 1000,
      });
      return c.redirect("/login/totp", 303);
    }
    await createSession(c, deps, res.account.id);
    await rememberDevice(c, deps, res.account.id);
    return c.redirect(returnTo, 303);
  });
  app.get("/login/totp", async (c) => {
    const ch = await acc.findChallenge(deps, getCookie(c, CHALLENGE_COOKIE, "host"));
    if (!ch) return c.redirect("/login", 303);
    return c.html(<v.TotpLoginPage />);
  });
  app.post("/login/totp", csrf, async (c) => {
    const ch = await acc.findChallenge(deps, getCookie(c, CHALLENGE_COOKIE, "host"));
    if (!ch) {
      return c.html(
        <v.LoginPage
          returnTo="/account"
          notice={{ kind: "info", text: "That took too long. Please sign in again." }}
        />,
        401,
      );
    }
    const ip = clientIp(c);
    const wait = await takeToken(deps, `totp:ip:${ip}`, LIMITS.totp);
    if (wait) return throttled(c, wait, "Too many codes tried from your network.");
    const keys = [secondFactorKey(ch.account.id), `fail:ip:${ip}`];
    const ban = await longestBan(deps, keys);
    if (ban) return throttled(c, ban, "Too many failed sign-ins.");
    const code = ((await form(c)).code ?? "").trim();
    const isTotp = /^\d[\d ]{5,7}$/.test(code);
    const verdict = isTotp
      ? await acc.checkTotp(deps, ch.account, code)
      : (await acc.useRecoveryCode(deps, ch.account.id, code))
      ? "ok"
      : "wrong";
    if (verdict !== "ok") {
      const banned = Math.max(
        await recordFailure(deps, keys[0], SECOND_FACTOR_FAILURES),
        await recordFailure(deps, keys[1], LOGIN_FAILURES_IP),
      );
      if (banned) return throttled(c, banned, "Too many failed sign-ins.");
      return c.html(
        <v.TotpLoginPage
          notice={{
            kind: "error",
            text: verdict === "used"
              ? "That code was already used. Each code works once: wait for the next one."
              : isTotp
              ? "Wrong code. Check the code in your authenticator app (and the time on your phone)."
              : "Wrong recovery code.",
          }}
        />,
        401,
      );
    }
    await clearFailures(deps, keys[0]);
    await acc.deleteChallenge(deps, ch.id);
    deleteCookie(c, CHALLENGE_COOKIE, { prefix: "host", path: "/", secure: true });
    await createSession(c, deps, ch.account.id);
    await rememberDevice(c, deps, ch.account.id);
    return c.redirect(safeReturnTo(ch.returnTo), 303);
  });
  app.post("/signout", csrf, async (c) => {
    await endSession(c, deps);
    return c.redirect("/login", 303);
  });

  // ------------------------------------------------------------------ password reset
  app.get("/reset", (c) => c.html(<v.ResetRequestPage />));
  app.post("/reset", csrf, async (c) => {
    const email = acc.normalizeEmail((await form(c)).email ?? "");
    const wait = await takeToken(deps, `reset:ip:${clientIp(c)}`, LIMITS.reset);
    if (wait) return throttled(c, wait, "Too many reset requests from your network.");
    if (!(await takeToken(deps, `mail:${email}`, LIMITS.mail))) await acc.requestPasswordReset(deps, email);
    return c.html(<v.CheckMailPage email={email} what="reset" />);
  });
  app.get("/reset/:token", async (c) => {
    const token = c.req.param("token");
    const t = await acc.checkEmailToken(deps, token, "reset_password");
    if (!t.ok) return c.html(linkFailure(t.reason, "reset"), t.reason === "invalid" ? 404 : 410);
    return c.html(<v.ResetFormPage token={token} />);
  });
  app.post("/reset/:token", csrf, async (c) => {
    const token = c.req.param("token");
    const wait = await takeToken(deps, `reset:ip:${clientIp(c)}`, LIMITS.reset);
    if (wait) return throttled(c, wait, "Too many reset attempts from your network.");
    const res = await acc.resetPassword(deps, token, (await form(c)).password ?? "");
    if (!res.ok) {
      if (res.reason === "weak") return c.html(<v.ResetFormPage token={token} error={res.message} />, 400);
      return c.html(linkFailure(res.reason, "reset"), res.reason === "invalid" ? 404 : 410);
    }
    await clearFailures(deps, `fail:login:${(await acc.getAccount(deps, res.accountId))?.email ?? ""}`);
    return c.html(
      <v.LinkResultPage
        ok
        title="Password changed"
        message="Your new password is saved, and you were signed out everywhere."
        action={{ href: "/login", label: "Sign in" }}
      />,
    );
  });

  // ------------------------------------------------------------------ signed in
  app.get("/account", requireSession, async (c) => {
    const r = c.var;
    return c.html(
      <v.AccountPage a={await summary(r.s.accountId)} chrome={{ ...r.chrome, current: "account" }} />,
    );
  });

  // Announcements from the operators (edge/console/announcements.ts): off by a mailed one-click link
  // or here, and on again only here.
  app.post("/account/announcements", csrf, requireSession, async (c) => {
    const on = (await form(c)).on === "1";
    await acc.setAnnouncements(deps, c.var.s.accountId, on);
    return c.redirect("/account", 303);
  });

  async function summary(accountId: string): Promise<v.AccountSummary> {
    const a = (await acc.getAccount(deps, accountId))!;
    const servers = await accountServers(deps, accountId);
    return {
      email: a.email,
      createdAt: a.createdAt,
      totpEnabled: a.totpEnabledAt != null,
      recoveryLeft: await acc.remainingRecoveryCodes(deps, accountId),
      servers: await Promise.all(
        (await withPublicUrls(deps, servers.servers)).map(async (s) => ({
          ...s,
          traffic: await usageByDay(deps, s.id, 30),
        })),
      ),
      sessions: (await acc.listSessions(deps, accountId)).length,
      // What operators did to this account and its servers (invariant 11: operators are accountable).
      audit: await auditOf(deps, accountId),
      announcements: a.announcementsOffAt == null,
    };
  }

  async function securityPage(
    c: Context,
    s: { accountId: string; sessionId: string; email: string },
    extra: { notice?: Parameters<typeof v.SecurityPage>[0]["notice"]; errors?: Record<string, string> } = {},
    status: 200 | 400 | 401 = 200,
  ) {
    const a = await summary(s.accountId);
    const sessions = await acc.listSessions(deps, s.accountId);
    return c.html(
      <v.SecurityPage
        chrome={{ email: s.email, current: "security" }}
        totpEnabled={a.totpEnabled}
        recoveryLeft={a.recoveryLeft}
        sessions={sessions}
        currentSession={s.sessionId}
        {...extra}
      />,
      status,
    );
  }

  app.get("/account/security", requireSession, async (c) => {
    const r = c.var;
    const done = c.req.query("done");
    const notice = done === "password"
      ? { kind: "ok" as const, text: "Password changed. Your other sessions were signed out." }
      : done === "email"
      ? { kind: "ok" as const, text: "Check your new address for a confirmation link." }
      : done === "revoked"
      ? { kind: "ok" as const, text: "That session was signed out." }
      : done === "totp-off"
      ? { kind: "ok" as const, text: "Two-step verification is off." }
      : undefined;
    return await securityPage(c, r.s, { notice });
  });

  app.post("/account/password", csrf, requireSession, async (c) => {
    const r = c.var;
    const f = await form(c);
    const account = (await acc.getAccount(deps, r.s.accountId))!;
    const res = await acc.changePassword(deps, account, f.current ?? "", f.password ?? "", r.s.sessionId);
    if (!res.ok) return await securityPage(c, r.s, { errors: { [res.field]: res.message } }, 400);
    return c.redirect("/account/security?done=password", 303);
  });

  app.post("/account/email", csrf, requireSession, async (c) => {
    const r = c.var;
    const f = await form(c);
    const wait = await takeToken(deps, `mail:account:${r.s.accountId}`, LIMITS.mail);
    if (wait) return throttled(c, wait, "Too many email changes.");
    const account = (await acc.getAccount(deps, r.s.accountId))!;
    const res = await acc.requestEmailChange(deps, account, f.email ?? "", f.password ?? "");
    if (!res.ok) {
      return await securityPage(c, r.s, {
        errors: { [res.field === "current" ? "emailPassword" : "email"]: res.message },
      }, 400);
    }
    return c.redirect("/account/security?done=email", 303);
  });

  app.get("/email/confirm/:token", async (c) => {
    const t = await acc.confirmEmailChange(deps, c.req.param("token"));
    if (t.ok) {
      return c.html(
        <v.LinkResultPage
          ok
          title="Email changed"
          message={`Your account now uses ${t.newEmail}.`}
          action={{ href: "/account", label: "Go to your account" }}
        />,
      );
    }
    if (t.reason === "taken") {
      return c.html(
        <v.LinkResultPage
          ok={false}
          title="Address not available"
          message="That address can't be used for this account."
        />,
        409,
      );
    }
    return c.html(linkFailure(t.reason, "confirmation"), t.reason === "invalid" ? 404 : 410);
  });

  app.post("/account/sessions/:id/revoke", csrf, requireSession, async (c) => {
    const r = c.var;
    await revokeSession(deps, r.s.accountId, c.req.param("id"));
    return c.redirect("/account/security?done=revoked", 303);
  });

  // ------------------------------------------------------------------ TOTP
  app.get("/account/totp", requireSession, async (c) => {
    const r = c.var;
    if (r.s.totpEnabled) return c.redirect("/account/security", 303);
    // A pending enrolment keeps its secret across reloads (the phone may have scanned it already);
    // only "Start over" makes a new one.
    const pending = (await acc.getAccount(deps, r.s.accountId))?.totpSecret;
    const secret = pending ?? newTotpSecret();
    if (!pending) await acc.startTotpEnrolment(deps, r.s.accountId, secret);
    const uri = totpUri(secret, r.s.email);
    return c.html(<v.TotpEnrolPage chrome={r.chrome} secret={secret} uri={uri} qrSvg={totpQrSvg(uri)} />);
  });
  app.post("/account/totp", csrf, requireSession, async (c) => {
    const r = c.var;
    const wait = await takeToken(deps, `totp:account:${r.s.accountId}`, LIMITS.totp);
    if (wait) return throttled(c, wait, "Too many codes tried.");
    const codes = await acc.confirmTotpEnrolment(deps, r.s.accountId, (await form(c)).code ?? "");
    if (!codes) {
      const a = await acc.getAccount(deps, r.s.accountId);
      if (!a?.totpSecret || a.totpEnabledAt != null) return c.redirect("/account/totp", 303);
      const uri = totpUri(a.totpSecret, a.email);
      return c.html(
        <v.TotpEnrolPage
          chrome={r.chrome}
          secret={a.totpSecret}
          uri={uri}
          qrSvg={totpQrSvg(uri)}
          error="That code didn't match. Check the time on your phone and try the next code."
        />,
        400,
      );
    }
    return c.html(<v.RecoveryCodesPage chrome={r.chrome} codes={codes} fresh />, 200, {
      "content-security-policy": SCRIPT_PAGE_CSP,
    });
  });

  async function passwordOk(accountId: string, password: string): Promise<boolean> {
    const a = await acc.getAccount(deps, accountId);
    return !!a && (await acc.checkPassword(deps, a.email, password)).ok;
  }

  app.post("/account/totp/restart", csrf, requireSession, async (c) => {
    if (!c.var.s.totpEnabled) await acc.startTotpEnrolment(deps, c.var.s.accountId, newTotpSecret());
    return c.redirect("/account/totp", 303);
  });

  app.post("/account/totp/disable", csrf, requireSession, async (c) => {
    const r = c.var;
    if (!(await passwordOk(r.s.accountId, (await form(c)).password ?? ""))) {
      return await securityPage(c, r.s, { errors: { totp: "That isn't your current password." } }, 400);
    }
    await acc.disableTotp(deps, r.s.accountId);
    return c.redirect("/account/security?done=totp-off", 303);
  });
  app.post("/account/recovery-codes", csrf, requireSession, async (c) => {
    const r = c.var;
    if (!r.s.totpEnabled) return c.redirect("/account/security", 303);
    if (!(await passwordOk(r.s.accountId, (await form(c)).password ?? ""))) {
      return await securityPage(c, r.s, { errors: { totp: "That isn't your current password." } }, 400);
    }
    const codes = await acc.newRecoveryCodes(deps, r.s.accountId);
    return c.html(<v.RecoveryCodesPage chrome={r.chrome} codes={codes} fresh={false} />, 200, {
      "content-security-policy": SCRIPT_PAGE_CSP,
    });
  });

  // ------------------------------------------------------------------ servers
  app.get("/account/servers", requireSession, async (c) => {
    const r = c.var;
    const s = await accountServers(deps, r.s.accountId);
    return c.html(
      <v.ServersPage
        chrome={r.chrome}
        zone={deps.zone}
        servers={await withPublicUrls(deps, s.servers)}
        pending={s.pending}
      />,
    );
  });
  app.post("/account/servers", csrf, requireSession, async (c) => {
    const r = c.var;
    const name = (await form(c)).name ?? "";
    const wait = await takeToken(deps, `register:account:${r.s.accountId}`, LIMITS.register);
    if (wait) return throttled(c, wait, "Too many names claimed.");
    let claimed;
    let error: string | undefined;
    try {
      claimed = await claimName(deps, r.s.accountId, name);
    } catch (err) {
      if (!(err instanceof RegistrationError)) throw err;
      error = err.message;
    }
    const s = await accountServers(deps, r.s.accountId);
    return c.html(
      <v.ServersPage
        chrome={r.chrome}
        zone={deps.zone}
        servers={await withPublicUrls(deps, s.servers)}
        pending={s.pending}
        claimed={claimed}
        error={error}
        name={name}
      />,
      error ? 400 : 200,
    );
  });

  return app;
}

function linkFailure(reason: "invalid" | "used" | "expired", what: "confirmation" | "reset") {
  const again = what === "reset"
    ? { href: "/reset", label: "Get a new reset link" }
    : { href: "/login", label: "Sign in to get a new link" };
  const message = reason === "used"
    ? `This ${what} link was already used. Each link works once.`
    : reason === "expired"
    ? `This ${what} link has expired.`
    : `This ${what} link isn't valid. Check that you copied all of it.`;
  return (
    <v.LinkResultPage
      ok={false}
      title={reason === "used"
        ? "Link already used"
        : reason === "expired"
        ? "Link expired"
        : "Link not valid"}
      message={message}
      action={again}
    />
  );
}
