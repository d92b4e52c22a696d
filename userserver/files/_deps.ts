/** What every route module of the file manager is built from (made once by the plugin). */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { Core } from "../core/mod.ts";
import type { ShellEnv } from "../plugins/mod.ts";
import type { ItemType } from "../plugins/mod.ts";
import type { Item } from "../store/mod.ts";
import type { FileOps } from "./ops.ts";
import type { FolderQueries } from "./queries.ts";
import type { Thumbnailer } from "./thumbs.ts";
import type { Uploads } from "./uploads.ts";

export interface FilesDeps {
  core: Core;
  ops: FileOps;
  /** The listing's SQL, on prepared statements. */
  queries: FolderQueries;
  thumbs: Thumbnailer;
  uploads: Uploads;
  /** Where form uploads and edits are written before they go into the store. */
  editDir: string;
  typeOf(item: Item): ItemType;
  itemSections?(c: Context<ShellEnv>, item: Item): Promise<Child> | Child;
}
