/**
 * The plugin interface: how a feature module joins the user server. A plugin registers routes,
 * nav entries (tabs), item types and signal handlers; the shell registers nothing
 * feature-specific itself. Browse (the file manager, userserver/files) and Add are plugins.
 */
import type { Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../../shared/log/mod.ts";
import type { ConfigStore } from "../config/mod.ts";
import type { UserDb } from "../database/mod.ts";
import type { Notifications } from "../notifications/mod.ts";
import type { Access, Permissions, Viewer } from "../permissions/mod.ts";
import type { Signals } from "../signals/mod.ts";
import type { Item, Store } from "../store/mod.ts";

/** Hono variables every user-data route can read. */
export type ShellEnv = { Variables: { viewer: Viewer } };
export type ShellApp = Hono<ShellEnv>;
export type ShellContext = Context<ShellEnv, any, any>;

export interface NavEntry {
  label: string;
  path: string;
  /** Tabs are sorted by this (Browse 10, Add 20; Settings is always last). */
  order: number;
}

export interface ItemType {
  id: string;
  label: string;
  /** An icon name from `web/icons.tsx` (folder, file, image, …). */
  icon: string;
  matches(item: Item): boolean;
}

export interface PluginContext {
  db: UserDb;
  config: ConfigStore;
  signals: Signals;
  store: Store;
  permissions: Permissions;
  notifications: Notifications;
  log: Logger;
  /** The one access check: 404 unless the viewer may `access` the item (existence is not revealed). */
  requireAccess(c: Context<ShellEnv>, itemId: string, access: Access): Promise<Item>;
  /** The registered item type of an item (a generic one when no plugin claims it). */
  typeOf(item: Item): ItemType;
}

export interface Plugin {
  id: string;
  nav?: NavEntry[];
  itemTypes?: ItemType[];
  /** Mounted behind the owner check. */
  routes?(app: ShellApp, ctx: PluginContext): void;
  /** Subscribes to signals; returns the unsubscribers (called at stop). */
  subscribe?(signals: Signals, ctx: PluginContext): Array<() => void>;
  start?(ctx: PluginContext): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export class PluginError extends Error {
  override name = "PluginError";
}

const GENERIC_FILE: ItemType = { id: "file", label: "File", icon: "file", matches: (i) => i.kind === "file" };
const GENERIC_FOLDER: ItemType = {
  id: "folder",
  label: "Folder",
  icon: "folder",
  matches: (i) => i.kind === "folder",
};

export class PluginHost {
  readonly #plugins: Plugin[] = [];
  #unsubscribe: Array<() => void> = [];

  register(plugin: Plugin): this {
    if (this.#plugins.some((p) => p.id === plugin.id)) {
      throw new PluginError(`Plugin "${plugin.id}" is registered twice`);
    }
    this.#plugins.push(plugin);
    return this;
  }

  /** Replaces a registered plugin (how the file manager takes over from Browse). */
  replace(id: string, plugin: Plugin): this {
    const i = this.#plugins.findIndex((p) => p.id === id);
    if (i < 0) throw new PluginError(`No plugin "${id}" to replace`);
    this.#plugins[i] = plugin;
    return this;
  }

  get plugins(): readonly Plugin[] {
    return this.#plugins;
  }

  nav(): NavEntry[] {
    return this.#plugins.flatMap((p) => p.nav ?? []).sort((a, b) => a.order - b.order);
  }

  typeOf(item: Item): ItemType {
    for (const p of this.#plugins) for (const t of p.itemTypes ?? []) if (t.matches(item)) return t;
    return item.kind === "folder" ? GENERIC_FOLDER : GENERIC_FILE;
  }

  mount(app: ShellApp, ctx: PluginContext): void {
    for (const p of this.#plugins) p.routes?.(app, ctx);
  }

  async start(ctx: PluginContext): Promise<void> {
    for (const p of this.#plugins) {
      await p.start?.(ctx);
      this.#unsubscribe.push(...(p.subscribe?.(ctx.signals, ctx) ?? []));
    }
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const p of [...this.#plugins].reverse()) await p.stop?.();
  }
}

/** Builds `requireAccess` on top of the permissions module. */
export function accessCheck(permissions: Permissions, store: Store) {
  return async function requireAccess(c: Context<ShellEnv>, itemId: string, access: Access): Promise<Item> {
    const viewer = c.get("viewer");
    if (!(await permissions.can(viewer, itemId, access))) {
      throw new HTTPException(404, { message: "Not found" });
    }
    return await store.items.require(itemId);
  };
}
