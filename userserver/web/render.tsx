/** Full page or fragment: full-page GETs (and boosted navigations) get the shell; targeted htmx requests the fragment. */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type AccountMenuInfo, Shell, type Tab } from "./layout.tsx";
import type { Viewer, ViewerKind } from "../permissions/mod.ts";
import type { Place } from "../plugins/mod.ts";
import { PlacesContext } from "./places.ts";

export interface ShellInfo {
  name: string;
  /** The tabs a viewer of this kind may open (the owner: all). */
  tabs(kind?: ViewerKind): Tab[];
  /** The side list's places a viewer of this kind may open (the owner: all). */
  places(kind?: ViewerKind): Place[];
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
  // Anyone but the owner (a paired device) gets the tabs and places it may open and none of the
  // owner's own widgets: no bell (its live stream is the owner's), no search, no account menu.
  const kind: ViewerKind = (c.get("viewer") as Viewer | undefined)?.kind ?? "owner";
  const owner = kind === "owner";
  const withPlaces = <PlacesContext.Provider value={shell.places(kind)}>{body}</PlacesContext.Provider>;
  if (isFragmentRequest(c)) return c.html(withPlaces, status);
  return c.html(
    <Shell
      title={title}
      name={shell.name}
      tabs={shell.tabs(kind)}
      path={c.req.path}
      unseen={owner ? await shell.unseen() : 0}
      account={owner ? await shell.account?.(c) : undefined}
      ownerWidgets={owner}
      head={head}
    >
      {withPlaces}
    </Shell>,
    status,
  );
}
