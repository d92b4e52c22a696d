/** Which search hits a viewer may see: the owner everything, anyone else what the access check lets them read. */
import type { Core } from "../core/mod.ts";
import type { ShellContext } from "../plugins/mod.ts";
import type { SearchRequest } from "./mod.ts";

export function visibleTo(core: Core, c: ShellContext): SearchRequest["visible"] {
  const viewer = c.var.viewer;
  if (viewer.kind === "owner") return undefined;
  return (ids) => Promise.resolve(new Set(ids.filter((id) => core.permissions.check(viewer, id, "read"))));
}
