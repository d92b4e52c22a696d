import { expect, test } from "bun:test";
import fc from "fast-check";
import { userOf } from "./browser_port.ts";

test("only <user>.<zone> routes to a user", () => {
  expect(userOf("alice.hearth.localhost", "hearth.localhost")).toBe("alice");
  expect(userOf("local.alice.hearth.localhost", "hearth.localhost")).toBeUndefined();
  expect(userOf("hearth.localhost", "hearth.localhost")).toBeUndefined();
  expect(userOf("alice.other.localhost", "hearth.localhost")).toBeUndefined();
  expect(userOf("aliceXhearth.localhost", "hearth.localhost")).toBeUndefined();
  expect(userOf(null, "hearth.localhost")).toBeUndefined();
});

test("property: a routed label never contains a dot and always sits right under the zone", () => {
  fc.assert(fc.property(fc.string(), (name) => {
    const user = userOf(name, "hearth.localhost");
    if (user !== undefined) {
      expect(user.includes(".")).toBe(false);
      expect(`${user}.hearth.localhost`).toBe(name);
    }
  }));
});
