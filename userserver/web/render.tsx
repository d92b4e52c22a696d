/** Full page or fragment: full-page GETs (and boosted navigations) get the shell; targeted htmx requests the fragment. */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type AccountMenuInfo, Shell, type Tab } from "./layout.tsx";

export interface ShellInfo {
  name: string;
  tabs(): Tab[];
  unseen(): Promise<number>;
  /** Who is signed in, for the account menu (undefined: no menu). */
  account?(c: Context): Promise<AccountMenuInfo | undefined>;
  /** Which listener this shell answers on: "local" offers what only this computer may do. */
  listener: "relayed" | "local";
}

export function isFragmentRequest(c: Context): boolean {
  return c.req.header("HX-Request") === "true" && c.req.header("HX-Request-Type") === "partial" &&
    c.req.header("HX-History-Restore-Request") !== "true";
}

export async function render(
  c: Context,
  shell: ShellInfo,
  { title, body, head, status = 200 }: {
    title: string;
    body: Child;
    head?: Child;
    status?: ContentfulStatusCode;
  },
): Promise<Response> {
  c.header("Vary", "HX-Request, HX-Request-Type");
  c.header("Cache-Control", "no-store");
  if (isFragmentRequest(c)) return c.html(<>{body}</>, status);
  return c.html(
    <Shell
      title={title}
      name={shell.name}
      tabs={shell.tabs()}
      path={c.req.path}
      unseen={await shell.unseen()}
      account={await shell.account?.(c)}
      head={head}
    >
      {body}
    </Shell>,
    status,
  );
}
