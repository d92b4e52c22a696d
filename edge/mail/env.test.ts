import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError } from "../../platform/config.ts";
import { mailConfigFromEnv, MailEnvError } from "./env.ts";

const from = (vars: Record<string, string>) => (name: string) => vars[name];

test("no HEARTH_MAIL_TRANSPORT: no transport, a default sender for the zone", () => {
  assert.deepEqual(mailConfigFromEnv(from({}), { zone: "hearth.example" }), {
    from: "Hearth <no-reply@hearth.example>",
  });
});

test("http: URL and token", () => {
  const got = mailConfigFromEnv(from({
    HEARTH_MAIL_TRANSPORT: "http",
    HEARTH_MAIL_HTTP_URL: "https://mail.example/send",
    HEARTH_MAIL_HTTP_TOKEN: "tok",
    HEARTH_MAIL_FROM: "Hearth <hi@hearth.example>",
  }));
  assert.deepEqual(got, {
    transport: { transport: "http", url: "https://mail.example/send", token: "tok" },
    from: "Hearth <hi@hearth.example>",
  });
});

test("smtp: defaults (587, STARTTLS required) and port 465 implies TLS from the first byte", () => {
  assert.deepEqual(
    mailConfigFromEnv(from({ HEARTH_MAIL_TRANSPORT: "smtp", HEARTH_SMTP_HOST: "smtp.example" })).transport,
    {
      transport: "smtp",
      host: "smtp.example",
      port: 587,
      secure: false,
      requireTls: true,
    },
  );
  const tls = mailConfigFromEnv(from({
    HEARTH_MAIL_TRANSPORT: "SMTP",
    HEARTH_SMTP_HOST: "smtp.example",
    HEARTH_SMTP_PORT: "465",
    HEARTH_SMTP_USER: "u",
    HEARTH_SMTP_PASSWORD: "p",
    HEARTH_SMTP_REQUIRE_TLS: "no",
  })).transport;
  assert.deepEqual(tls, {
    transport: "smtp",
    host: "smtp.example",
    port: 465,
    secure: true,
    requireTls: false,
    user: "u",
    password: "p",
  });
});

test("bad values are refused with a sentence naming the variable", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ HEARTH_MAIL_TRANSPORT: "pigeon" }, /HEARTH_MAIL_TRANSPORT is "pigeon"/],
    [{ HEARTH_MAIL_TRANSPORT: "http", HEARTH_MAIL_HTTP_TOKEN: "t" }, /"url"/],
    [{
      HEARTH_MAIL_TRANSPORT: "http",
      HEARTH_MAIL_HTTP_URL: "http://plain.example",
      HEARTH_MAIL_HTTP_TOKEN: "t",
    }, /"url"/],
    [{ HEARTH_MAIL_TRANSPORT: "http", HEARTH_MAIL_HTTP_URL: "https://m.example" }, /"token"/],
    [{ HEARTH_MAIL_TRANSPORT: "smtp" }, /"host"/],
    [
      { HEARTH_MAIL_TRANSPORT: "smtp", HEARTH_SMTP_HOST: "h", HEARTH_SMTP_PORT: "25x" },
      /HEARTH_SMTP_PORT is "25x"/,
    ],
    [{ HEARTH_MAIL_TRANSPORT: "smtp", HEARTH_SMTP_HOST: "h", HEARTH_SMTP_PORT: "70000" }, /"port"/],
    [
      { HEARTH_MAIL_TRANSPORT: "smtp", HEARTH_SMTP_HOST: "h", HEARTH_SMTP_SECURE: "maybe" },
      /HEARTH_SMTP_SECURE/,
    ],
    [{ HEARTH_MAIL_TRANSPORT: "file" }, /HEARTH_MAIL_DIR/],
  ];
  for (const [vars, message] of cases) {
    assert.throws(() => mailConfigFromEnv(from(vars)), message, JSON.stringify(vars));
  }
});

test("property: any environment gives a config or a named error, never anything else", () => {
  const names = [
    "HEARTH_MAIL_TRANSPORT",
    "HEARTH_MAIL_HTTP_URL",
    "HEARTH_MAIL_HTTP_TOKEN",
    "HEARTH_SMTP_HOST",
    "HEARTH_SMTP_PORT",
    "HEARTH_SMTP_SECURE",
    "HEARTH_SMTP_REQUIRE_TLS",
    "HEARTH_MAIL_DIR",
  ];
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom("http", "smtp", "file", "465", "true", "https://m.example"),
  );
  fc.assert(fc.property(fc.dictionary(fc.constantFrom(...names), value), (vars) => {
    try {
      const got = mailConfigFromEnv(from(vars));
      if (got.transport) assert.ok(["http", "smtp", "file"].includes(got.transport.transport));
    } catch (e) {
      assert.ok(e instanceof MailEnvError || e instanceof ConfigError, String(e));
    }
  }));
});
