/**
 * JSON request bodies checked against a zod schema with @hono/zod-validator, for every JSON API of
 * the cloud tier. A body that is not `application/json`, is not JSON, or does not match answers 400
 * with one sentence naming the field (`{ "error": "…" }` through the app's error handler), and the
 * handler reads the typed value with `c.req.valid("json")`.
 *
 *   app.post("/relay/heartbeat", jsonBody(heartbeatBody), (c) => record(c.req.valid("json")));
 */
import { zValidator } from "@hono/zod-validator";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

export function jsonBody<S extends z.ZodType>(schema: S) {
  return zValidator("json", schema, (result, c) => {
    // Hono's validator reads a body of another type as `{}`: refuse it rather than guess.
    const type = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(type)) {
      throw new HTTPException(400, {
        message: `Send the body as application/json (got ${
          type ? `"${type.slice(0, 100)}"` : "no Content-Type"
        })`,
      });
    }
    if (result.success) return;
    const issue = result.error.issues[0];
    const field = issue?.path.join(".") ?? "";
    throw new HTTPException(400, {
      message: field
        ? `Field "${field}" is invalid: ${issue!.message}`
        : `The body is invalid: ${issue?.message}`,
    });
  });
}
