/**
 * Paired devices and the one-time pairings that make them. A pairing is a 256-bit token in a URL
 * (shown as a QR code), five minutes, used once; only its SHA-256 is stored. A device's credential
 * is `<id>.<secret>` in a `__Host-` cookie (HttpOnly, Secure), only the secret's SHA-256 stored;
 * rotated on use at most daily. The previous secret is accepted until the device first shows the
 * new one (so a response lost on the way cannot lock the phone out), then never again.
 */
import { and, desc, eq, isNull, lte } from "drizzle-orm";
import { newSessionToken, parseSessionToken, secretMatches } from "../../shared/auth/session_token.ts";
import { randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import { withoutControlChars } from "../../shared/text.ts";
import { devices, pairings } from "../../shared/db/userserver/schema.ts";
import type { UserDb } from "../database/mod.ts";

export const PAIRING_MS = 5 * 60_000;
export const ROTATE_AFTER_MS = 24 * 3600_000;
/** The previous secret works until the device first shows the new one (a lost response must not lock it out), at most this long. */
const PREVIOUS_GRACE_MS = 7 * 24 * 3600_000;
const MAX_NAME = 60;

export type Device = typeof devices.$inferSelect;
export type Pairing = typeof pairings.$inferSelect;

/** Why a pairing link did not work, in words for the page. */
export type PairingRefusal = "unknown" | "expired" | "used";

export class Devices {
  constructor(private readonly db: UserDb, private readonly now: () => number = Date.now) {}

  /** A new pairing; the token goes in the URL and is never stored. */
  async newPairing(): Promise<{ pairing: Pairing; token: string }> {
    const token = randomToken(32);
    const now = this.now();
    const pairing: Pairing = {
      id: randomToken(12),
      tokenHash: await sha256Hex(token),
      createdAt: now,
      expiresAt: now + PAIRING_MS,
      usedAt: null,
      deviceId: null,
    };
    await this.db.write(async () => {
      await this.db.orm.delete(pairings).where(lte(pairings.expiresAt, now - 24 * 3600_000));
      await this.db.orm.insert(pairings).values(pairing);
    });
    return { pairing, token };
  }

  async pairing(id: string): Promise<Pairing | undefined> {
    return (await this.db.orm.select().from(pairings).where(eq(pairings.id, id)).all())[0];
  }

  /** The pairing a token opens, or why not. */
  async check(token: string): Promise<{ pairing: Pairing } | { refused: PairingRefusal }> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { refused: "unknown" };
    const hash = await sha256Hex(token);
    const p = (await this.db.orm.select().from(pairings).where(eq(pairings.tokenHash, hash)).all())[0];
    if (!p) return { refused: "unknown" };
    if (p.usedAt !== null) return { refused: "used" };
    if (p.expiresAt <= this.now()) return { refused: "expired" };
    return { pairing: p };
  }

  /**
   * Uses the pairing once and makes the device: the cookie value to set, or why not. The use is
   * one conditional update, so two phones racing with one link pair one device.
   */
  async pair(
    token: string,
    o: { name: string; platform: string },
  ): Promise<{ device: Device; cookie: string } | { refused: PairingRefusal }> {
    const checked = await this.check(token);
    if ("refused" in checked) return checked;
    const { id, secretHash, token: cookie } = await newSessionToken();
    const now = this.now();
    const device: Device = {
      id,
      name: cleanName(o.name) || o.platform,
      platform: o.platform.slice(0, 40),
      secretHash,
      previousSecretHash: null,
      previousValidUntil: null,
      rotatedAt: now,
      pairedAt: now,
      lastSeenAt: now,
      lastSeenFrom: null,
      revokedAt: null,
    };
    const won = await this.db.write(async () => {
      const used = await this.db.orm.update(pairings).set({ usedAt: now, deviceId: id })
        .where(and(eq(pairings.id, checked.pairing.id), isNull(pairings.usedAt))).returning();
      if (used.length === 0) return false;
      await this.db.orm.insert(devices).values(device);
      return true;
    });
    return won ? { device, cookie } : { refused: "used" };
  }

  async list(): Promise<Device[]> {
    return await this.db.orm.select().from(devices).where(isNull(devices.revokedAt)).orderBy(
      desc(devices.pairedAt),
    )
      .all();
  }

  async get(id: string): Promise<Device | undefined> {
    return (await this.db.orm.select().from(devices).where(eq(devices.id, id)).all())[0];
  }

  async revoke(id: string): Promise<boolean> {
    const done = await this.db.write(() =>
      this.db.orm.update(devices).set({ revokedAt: this.now() }).where(
        and(eq(devices.id, id), isNull(devices.revokedAt)),
      )
        .returning()
    );
    return done.length > 0;
  }

  async rename(id: string, name: string): Promise<void> {
    const clean = cleanName(name);
    if (!clean) return;
    await this.db.write(() => this.db.orm.update(devices).set({ name: clean }).where(eq(devices.id, id)));
  }

  /**
   * The device a cookie value proves, and — when its secret is due for rotation — the new cookie
   * value to set. Revoked devices, unknown ids and wrong secrets prove nothing.
   */
  async verify(
    raw: string | undefined,
    from: string,
  ): Promise<{ device: Device; rotated?: string } | undefined> {
    const parsed = parseSessionToken(raw);
    if (!parsed) return undefined;
    const d = await this.get(parsed.id);
    if (!d || d.revokedAt !== null) return undefined;
    const now = this.now();
    const current = await secretMatches(parsed.secret, d.secretHash);
    const previous = !current && d.previousSecretHash !== null && (d.previousValidUntil ?? 0) > now &&
      await secretMatches(parsed.secret, d.previousSecretHash);
    if (!current && !previous) return undefined;
    // The device has the new secret: the previous one is done with.
    if (current && d.previousSecretHash !== null) {
      await this.db.write(() =>
        this.db.orm.update(devices).set({ previousSecretHash: null, previousValidUntil: null }).where(
          eq(devices.id, d.id),
        )
      );
    }
    let rotated: string | undefined;
    if (current && now - d.rotatedAt >= ROTATE_AFTER_MS) {
      const secret = randomToken(32);
      await this.db.write(async () =>
        this.db.orm.update(devices).set({
          secretHash: await sha256Hex(secret),
          previousSecretHash: d.secretHash,
          previousValidUntil: now + PREVIOUS_GRACE_MS,
          rotatedAt: now,
        }).where(eq(devices.id, d.id))
      );
      rotated = `${d.id}.${secret}`;
    }
    // Last seen: written at most once a minute per device.
    if (now - (d.lastSeenAt ?? 0) >= 60_000 || d.lastSeenFrom !== from) {
      await this.db.write(() =>
        this.db.orm.update(devices).set({ lastSeenAt: now, lastSeenFrom: from.slice(0, 100) }).where(
          eq(devices.id, d.id),
        )
      );
    }
    return { device: d, rotated };
  }
}

function cleanName(s: string): string {
  // Control characters out: a name is shown in lists and logs.
  return withoutControlChars(s).trim().slice(0, MAX_NAME);
}

/** A short platform name from a User-Agent ("Android phone", "iPhone", "Chrome on Linux"…). */
export function platformOf(ua: string): string {
  if (/iPhone/.test(ua)) return "iPhone";
  if (/iPad/.test(ua)) return "iPad";
  if (/Android/.test(ua)) return /Mobile/.test(ua) ? "Android phone" : "Android tablet";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
    ? "Firefox"
    : /Chrome\//.test(ua)
    ? "Chrome"
    : /Safari\//.test(ua)
    ? "Safari"
    : "Browser";
  const os = /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}
