import { describe, expect, test } from "bun:test";
import { createLogger } from "../../shared/log/mod.ts";
import { createSessionCheck, type GrantAuthority, ROTATE_BEFORE_MS } from "./session_check.ts";
import type { SignedInUser } from "./session.ts";

const DAY = 24 * 3600_000;

function user(over: Partial<SignedInUser> = {}): SignedInUser {
  return {
    name: "a@x",
    sub: "acc_a",
    email: "a@x",
    isOwner: true,
    servers: [],
    sessionId: "s1",
    idToken: "t",
    refreshToken: "r1",
    checkedAt: 0,
    ...over,
  };
}

function rig(authority: Partial<GrantAuthority>, clock = { t: 100_000 }) {
  const marks: { id: string; at: number; token?: string }[] = [];
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => void lines.push(l) });
  const check = createSessionCheck({
    intervalMs: 60_000,
    authority: {
      introspect: authority.introspect ??
        (() => Promise.resolve({ active: true, exp: (clock.t + 30 * DAY) / 1000 })),
      rotate: authority.rotate ?? (() => Promise.resolve("rotated")),
    },
    markChecked: (id, at, token) => {
      marks.push({ id, at, token });
      return Promise.resolve();
    },
    log,
    now: () => clock.t,
  });
  return { check, marks, lines, clock };
}

describe("session check", () => {
  test("within the interval nothing is asked; after it, a live grant keeps the session", async () => {
    let asked = 0;
    const r = rig({
      introspect: () => {
        asked++;
        return Promise.resolve({ active: true, exp: 10 ** 10 });
      },
    });
    expect(await r.check(user({ checkedAt: r.clock.t - 59_000 }))).toBe(true);
    expect(asked).toBe(0);
    expect(await r.check(user({ checkedAt: r.clock.t - 60_000 }))).toBe(true);
    expect(asked).toBe(1);
    expect(r.marks).toEqual([{ id: "s1", at: r.clock.t, token: undefined }]);
  });

  test("a revoked grant ends the session", async () => {
    const r = rig({ introspect: () => Promise.resolve({ active: false }) });
    expect(await r.check(user())).toBe(false);
    expect(r.marks).toEqual([]);
  });

  test("IdCloud unreachable keeps the session (logged once per outage) and checks again later", async () => {
    const r = rig({ introspect: () => Promise.reject(new TypeError("fetch failed")) });
    expect(await r.check(user())).toBe(true);
    expect(await r.check(user({ sessionId: "s2" }))).toBe(true);
    expect(r.lines.filter((l) => l.includes("cannot check sessions")).length).toBe(1);
    expect(r.marks.map((m) => m.id)).toEqual(["s1", "s2"]);
  });

  test("a refresh token near its end is rotated and stored; a refused rotation ends the session", async () => {
    const near = {
      introspect: () => Promise.resolve({ active: true, exp: (100_000 + ROTATE_BEFORE_MS - 1) / 1000 }),
    };
    const r = rig(near);
    expect(await r.check(user())).toBe(true);
    expect(r.marks[0].token).toBe("rotated");
    const refused = rig({ ...near, rotate: () => Promise.resolve(null) });
    expect(await refused.check(user())).toBe(false);
  });

  test("concurrent requests of one session share one check (a refresh token is never rotated twice)", async () => {
    let rotations = 0;
    const r = rig({
      introspect: () => Promise.resolve({ active: true, exp: 1 }),
      rotate: async () => {
        rotations++;
        await Promise.resolve();
        return `r${rotations + 1}`;
      },
    });
    const answers = await Promise.all([r.check(user()), r.check(user()), r.check(user())]);
    expect(answers).toEqual([true, true, true]);
    expect(rotations).toBe(1);
  });

  test("sessions from before refresh tokens were kept are not checked", async () => {
    let asked = 0;
    const r = rig({
      introspect: () => {
        asked++;
        return Promise.resolve({ active: false });
      },
    });
    expect(await r.check(user({ refreshToken: null }))).toBe(true);
    expect(asked).toBe(0);
  });
});
