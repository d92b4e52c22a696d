/**
 * What a viewer's search may reach: the owner everything, their comments' text included; anyone
 * else only what the access check lets them read, and never the comments column.
 */
import type { Core } from "../core/mod.ts";
import type { ShellContext } from "../plugins/mod.ts";
import type { SearchRequest } from "./mod.ts";

export function viewerScope(core: Core, c: ShellContext): Pick<SearchRequest, "visible" | "comments"> {
  const viewer = c.var.viewer;
  if (viewer.kind === "owner") return { comments: true };
  return {
    comments: false,
    visible: (ids) =>
      Promise.resolve(new Set(ids.filter((id) => core.permissions.check(viewer, id, "read")))),
  };
}
