/** The file manager's stylesheet and script. */
import { Hono } from "hono";
import type { ShellApp, ShellEnv } from "../plugins/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { FILES_CSS, FILES_JS } from "./assets.ts";

export function assetRoutes(_: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  app.get("/files-ui/files.css", (c) => {
    c.header("content-type", "text/css; charset=utf-8");
    c.header("cache-control", "private, max-age=300");
    return c.body(FILES_CSS);
  });
  app.get("/files-ui/files.js", (c) => {
    c.header("content-type", "text/javascript; charset=utf-8");
    c.header("cache-control", "private, max-age=300");
    return c.body(FILES_JS);
  });
  return app;
}
