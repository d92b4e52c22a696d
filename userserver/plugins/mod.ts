/**
 * The plugin contract: how a feature joins the user server. A plugin is a Hono sub-app built from
 * the core (`app(core)`), mounted by the shell with `app.route()`, plus what it contributes: nav
 * entries, item types, a Settings section, an indexer hook (search), activity/notification kinds.
 * Per route group it declares which viewers may enter (`viewers`); the shell owns the door and
 * never lets a request reach a route its viewer may not enter — a plugin never checks who is
 * signed in. Browse (files), Add, Settings and Notifications are plugins.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Child } from "hono/jsx";
import { HTTPException } from "hono/http-exception";
import type { Core } from "../core/mod.ts";
import type { Access, Granted, Viewer, ViewerKind } from "../permissions/mod.ts";
import type { SignalMap, Signals } from "../signals/mod.ts";
import type { Item } from "../store/mod.ts";
import type { ShellInfo } from "../web/render.tsx";

/** Hono variables every user-data route can read: who is asking, and the shell to render pages in. */
export type ShellEnv = { Variables: { viewer: Viewer; shell: ShellInfo } };
export type ShellApp = Hono<ShellEnv>;
export type ShellContext = Context<ShellEnv, any, any>;

export interface NavEntry {
  label: string;
  path: string;
  /** Tabs are sorted by this (Browse 10, Add 20; Settings 1000, last). */
  order: number;
}

/** A place in the file manager's side list (Home, Recent, Camera, …): a nav entry with an icon. */
export interface Place extends NavEntry {
  /** An icon name for `FmIcon` (files/views.tsx). */
  icon: string;
}

export interface ItemType {
  id: string;
  label: string;
  /** An icon name from `web/icons.tsx` (folder, file, image, …). */
  icon: string;
  matches(item: Item): boolean;
  /** The preview shown on the item's page instead of the generic one. */
  preview?(item: Item): Child;
  /** A thumbnail for an item of this type (WebP bytes), or undefined when there is none. */
  thumbnail?(item: Item, blobPath: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
}

/** A section on the Settings page. */
export interface SettingsSection {
  id: string;
  title: string;
  render(core: Core): Child | Promise<Child>;
}

/** What changed about an item, as the indexer (search) hears it. */
export type ItemChange =
  | { change: "created"; item: SignalMap["item.created"] }
  | { change: "deleted"; item: SignalMap["item.deleted"] };

/** A kind of activity entry / notification a plugin emits (the activity and notification views read these). */
export interface ActivityKind {
  id: string;
  label: string;
  icon: string;
}

export interface Plugin {
  id: string;
  nav?: NavEntry[];
  /** Places in the file manager's side list, shown only to viewers their route group admits. */
  places?: Place[];
  itemTypes?: ItemType[];
  /**
   * Who may enter, per route group: a path prefix of this plugin's routes → the viewer kinds
   * admitted (the longest matching prefix wins; the owner is always admitted). Routes no prefix
   * covers are the owner's alone.
   */
  viewers?: Record<string, ViewerKind[]>;
  /**
   * Recognises a visitor who is not the owner (a link guest by the link's cookie, a device by its
   * app password, a friend by a signed request). The door asks each plugin in order, after the
   * owner check; the first viewer answered wins, nobody's answer means anonymous. Must not throw
   * for bad input: answer undefined.
   */
  recognise?(
    c: Context,
    core: Core,
    signedIn?: SignedInAccount,
  ): Viewer | undefined | Promise<Viewer | undefined>;
  /** The plugin's routes, mounted at `/` with `app.route()`, behind the shell's door. */
  app?(core: Core): ShellApp;
  settings?: SettingsSection;
  /** Called for every item change (search keeps its index with this). */
  indexer?(change: ItemChange, core: Core): void | Promise<void>;
  activityKinds?: ActivityKind[];
  /** Subscribes to signals; returns the unsubscribers (called at stop). */
  subscribe?(signals: Signals, core: Core): Array<() => void>;
  start?(core: Core): Promise<void> | void;
  stop?(): Promise<void> | void;
}

/** Someone signed in through IdCloud who is not this server's owner (a friend, maybe). */
export interface SignedInAccount {
  name: string;
  /** The Hearth servers (user names) their account owns. */
  servers: string[];
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

/** The viewer kinds a route of `plugin` at `path` admits (the owner always). */
export function admitted(plugin: Plugin, path: string): Set<ViewerKind> {
  let best = "";
  let kinds: ViewerKind[] = [];
  for (const [prefix, k] of Object.entries(plugin.viewers ?? {})) {
    if (coversPath(prefix, path) && prefix.length >= best.length) [best, kinds] = [prefix, k];
  }
  return new Set<ViewerKind>(["owner", ...kinds]);
}

/**
 * Whether a route group's prefix covers `path`, by whole path segments: "/f" covers "/f" and
 * "/f/:id" but never "/friends" (a prefix ending in "/" covers what is below it).
 */
export function coversPath(prefix: string, path: string): boolean {
  if (prefix.endsWith("/")) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The registered plugins, in order; what they contribute, and their start and stop. */
export class Plugins {
  readonly #plugins: Plugin[] = [];
  #unsubscribe: Array<() => void> = [];

  constructor(plugins: Plugin[] = []) {
    for (const p of plugins) this.register(p);
  }

  register(plugin: Plugin): this {
    if (this.#plugins.some((p) => p.id === plugin.id)) {
      throw new PluginError(`Plugin "${plugin.id}" is registered twice`);
    }
    this.#plugins.push(plugin);
    return this;
  }

  get list(): readonly Plugin[] {
    return this.#plugins;
  }

  /** The tabs; for a viewer kind, only those whose route group admits it (a device: Browse). */
  nav(kind: ViewerKind = "owner"): NavEntry[] {
    return this.#plugins.flatMap((p) => (p.nav ?? []).filter((n) => admitted(p, n.path).has(kind)))
      .sort((a, b) => a.order - b.order);
  }

  /** The side list's places; for a viewer kind, only those it may open (as `nav`). */
  places(kind: ViewerKind = "owner"): Place[] {
    return this.#plugins.flatMap((p) => (p.places ?? []).filter((n) => admitted(p, n.path).has(kind)))
      .sort((a, b) => a.order - b.order);
  }

  typeOf(item: Item): ItemType {
    for (const p of this.#plugins) for (const t of p.itemTypes ?? []) if (t.matches(item)) return t;
    return item.kind === "folder" ? GENERIC_FOLDER : GENERIC_FILE;
  }

  settingsSections(): SettingsSection[] {
    return this.#plugins.flatMap((p) => p.settings ? [p.settings] : []);
  }

  /** The first viewer a plugin recognises in `c` (see `Plugin.recognise`), or undefined. */
  async recognise(c: Context, core: Core, signedIn?: SignedInAccount): Promise<Viewer | undefined> {
    for (const p of this.#plugins) {
      const viewer = await p.recognise?.(c, core, signedIn);
      if (viewer) return viewer;
    }
    return undefined;
  }

  activityKinds(): ActivityKind[] {
    return this.#plugins.flatMap((p) => p.activityKinds ?? []);
  }

  /**
   * Mounts every plugin's app on `shell` with `app.route()`. Each handler is wrapped by the door:
   * a viewer its route group does not admit passes by it as if the route did not exist (the
   * shell's not-found answers), so existence is never revealed.
   */
  mount(shell: ShellApp, core: Core): void {
    for (const p of this.#plugins) {
      const sub = p.app?.(core);
      if (!sub) continue;
      const gated = new Hono<ShellEnv>();
      for (const r of sub.routes) {
        gated.on(r.method, r.path, door(admitted(p, r.path), r.handler as MiddlewareHandler<ShellEnv>));
      }
      // Errors and not-found stay the shell's (one onError, one not-found page).
      shell.route("/", gated);
    }
  }

  async start(core: Core): Promise<void> {
    for (const p of this.#plugins) {
      await p.start?.(core);
      this.#unsubscribe.push(...(p.subscribe?.(core.signals, core) ?? []));
      const indexer = p.indexer;
      if (indexer) {
        this.#unsubscribe.push(
          core.signals.on("item.created", (item) => indexer({ change: "created", item }, core)),
          core.signals.on("item.deleted", (item) => indexer({ change: "deleted", item }, core)),
        );
      }
    }
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const p of [...this.#plugins].reverse()) await p.stop?.();
  }
}

function door(admit: Set<ViewerKind>, handler: MiddlewareHandler<ShellEnv>): MiddlewareHandler<ShellEnv> {
  return async function door(c, next) {
    if (!admit.has(c.get("viewer").kind)) return await next();
    return await handler(c, next);
  };
}

/** 404 unless the viewer may `access` the item; the item and its ancestry otherwise. */
export function requireAccess(core: Core, c: Context<ShellEnv>, itemId: string, access: Access): Granted {
  const granted = core.permissions.check(c.get("viewer"), itemId, access);
  if (!granted) throw new HTTPException(404, { message: "Not found" });
  return granted;
}
