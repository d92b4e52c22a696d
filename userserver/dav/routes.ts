/**
 * WebDAV (RFC 4918 class 1 and 2, RFC 4331 quota) at `/dav/`, on the same store, item tree and
 * signals as Browse: a file PUT here shows up there (and in search, thumbnails, activity).
 *
 *   OPTIONS, PROPFIND (Depth 0/1; infinity refused), PROPPATCH (dead properties, and
 *   getlastmodified), GET/HEAD (ranges), PUT (atomic: a body cut short leaves the old version;
 *   `X-OC-Mtime` sets the time), MKCOL, DELETE (to the trash), COPY/MOVE (Destination, Overwrite,
 *   Depth), LOCK/UNLOCK (write locks, exclusive or shared, depth 0 or infinity, with timeouts).
 *
 * Only the owner and devices (app passwords) get here; the door sends anyone else a Basic
 * challenge (`plugin.tsx`). ETags are the content hash (`etagOfHash`).
 */
import type { Context } from "hono";
import { and, eq, inArray } from "drizzle-orm";
import { davProps, items as itemsTable } from "../../shared/db/userserver/schema.ts";
import type { Core } from "../core/mod.ts";
import { FileOpError, type FileOps } from "../files/ops.ts";
import { parseRange } from "../files/range.ts";
import {
  freeSpace,
  type Item,
  ItemConflictError,
  ItemNameError,
  ROOT_ID,
  storageFailure,
} from "../store/mod.ts";
import { evaluateIf, IfHeaderError, type IfList, parseIf, submittedTokens } from "./if_header.ts";
import { type Lock, LockConflict, type Locks, parseTimeout } from "./locks.ts";
import {
  child,
  DAV_NS,
  DavXmlError,
  elements,
  escapeXml,
  innerXml,
  isDav,
  key,
  parseXml,
  propElement,
  type PropName,
  propNameOf,
  statusLine,
  XML_HEAD,
} from "./xml.ts";

export const DAV_PREFIX = "/dav";
export const DAV_METHODS = [
  "OPTIONS",
  "PROPFIND",
  "PROPPATCH",
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "MKCOL",
  "COPY",
  "MOVE",
  "LOCK",
  "UNLOCK",
] as const;
const MAX_XML_BODY = 1024 * 1024;
/** PROPFIND answers are written in chunks of this many responses. */
const PROPFIND_BATCH = 200;

class DavError extends Error {
  constructor(readonly status: number, message: string, readonly condition?: string) {
    super(message);
  }
}

interface Target {
  /** Decoded segments below /dav. */
  segments: string[];
  /** `/a/b` (the lock table's key; `/` for the root). */
  path: string;
  item?: Item;
  /** The folder the last segment is in, when it exists. */
  parent?: Item;
}

const LIVE: PropName[] = [
  "resourcetype",
  "getcontentlength",
  "getlastmodified",
  "getetag",
  "getcontenttype",
  "creationdate",
  "displayname",
  "supportedlock",
  "lockdiscovery",
].map((name) => ({ ns: DAV_NS, name }));
const QUOTA: PropName[] = ["quota-available-bytes", "quota-used-bytes"].map((name) => ({ ns: DAV_NS, name }));
const SETTABLE_LIVE = new Set([key({ ns: DAV_NS, name: "getlastmodified" })]);
const LIVE_KEYS = new Set([...LIVE, ...QUOTA].map(key));

export interface DavDeps {
  core: Core;
  ops: FileOps;
  locks: Locks;
  /** Who holds locks taken by this request: an app password's id or "owner". */
  principalOf(c: Context): string;
}

export function createDavHandler(d: DavDeps) {
  const { core, ops, locks } = d;
  const items = core.store.items;

  const hrefOf = (segments: string[], folder: boolean) =>
    `${DAV_PREFIX}/${segments.map(encodeSegment).join("/")}${folder && segments.length ? "/" : ""}`;

  async function resolveSegments(segments: string[]): Promise<Target> {
    let current = await items.require(ROOT_ID);
    let parent: Item | undefined;
    for (let i = 0; i < segments.length; i++) {
      if (current.kind !== "folder") return { segments, path: pathOf(segments) };
      const next = await items.childByName(current.id, segments[i]);
      parent = current;
      if (!next) {
        return { segments, path: pathOf(segments), parent: i === segments.length - 1 ? parent : undefined };
      }
      current = next;
    }
    return { segments, path: pathOf(segments), item: current, parent };
  }

  function segmentsOf(urlPath: string): string[] {
    if (urlPath !== DAV_PREFIX && !urlPath.startsWith(`${DAV_PREFIX}/`)) {
      throw new DavError(502, "The destination is not on this server's WebDAV tree");
    }
    const rest = urlPath.slice(DAV_PREFIX.length).split("/").filter((s) => s !== "");
    try {
      return rest.map((s) => decodeURIComponent(s));
    } catch {
      throw new DavError(400, "The path is not valid percent-encoding");
    }
  }

  const etagOf = (item: Item) =>
    item.kind === "file" && item.blobHash ? etagOfHash(item.blobHash) : undefined;

  /** The If header, evaluated (412 when no list holds); answers the lock tokens it submits. */
  async function checkIf(c: Context, target: Target): Promise<Set<string>> {
    const header = c.req.header("if");
    if (!header) return new Set();
    let lists: IfList[];
    try {
      lists = parseIf(header);
    } catch (e) {
      if (e instanceof IfHeaderError) throw new DavError(400, e.message);
      throw e;
    }
    const states = new Map<string | undefined, { etag?: string; lockTokens: Set<string> }>();
    for (const l of lists) {
      if (states.has(l.resource)) continue;
      let t = target;
      if (l.resource !== undefined) {
        let path: string;
        try {
          path = new URL(l.resource, c.req.url).pathname;
        } catch {
          throw new DavError(400, "A resource tag in the If header is not a URL");
        }
        t = path.startsWith(DAV_PREFIX)
          ? await resolveSegments(segmentsOf(path))
          : { segments: [], path: "\u0000" };
      }
      states.set(l.resource, {
        etag: t.item ? etagOf(t.item) : undefined,
        lockTokens: new Set(locks.covering(t.path).map((x) => x.token)),
      });
    }
    if (!evaluateIf(lists, (r) => states.get(r)!)) {
      throw new DavError(412, "The If header's conditions do not hold");
    }
    return submittedTokens(lists);
  }

  function requireUnlocked(path: string, tokens: Set<string>, deep = false): void {
    if (!locks.mayModify(path, tokens, deep)) {
      throw new DavError(423, `${path} is locked`, "lock-token-submitted");
    }
  }

  async function readXml(c: Context) {
    const length = Number(c.req.header("content-length") ?? "0");
    if (length > MAX_XML_BODY) throw new DavError(413, "The XML body is too large");
    const text = await c.req.text();
    if (text.length > MAX_XML_BODY) throw new DavError(413, "The XML body is too large");
    try {
      return parseXml(text);
    } catch (e) {
      if (e instanceof DavXmlError) throw new DavError(400, e.message);
      throw e;
    }
  }

  // ---- properties ----------------------------------------------------------------------------

  async function deadPropsOf(
    ids: string[],
  ): Promise<Map<string, Map<string, { p: PropName; value: string }>>> {
    const out = new Map<string, Map<string, { p: PropName; value: string }>>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await core.db.orm.select().from(davProps).where(
        inArray(davProps.itemId, ids.slice(i, i + 500)),
      );
      for (const r of rows) {
        const m = out.get(r.itemId) ?? new Map();
        const p = { ns: r.ns, name: r.name };
        m.set(key(p), { p, value: r.value });
        out.set(r.itemId, m);
      }
    }
    return out;
  }

  function lockDiscovery(path: string): string {
    return locks.covering(path).map(activeLock).join("");
  }

  /** The value (inner XML) of a live property, or undefined when the item has none. */
  function liveValue(
    item: Item,
    path: string,
    name: string,
    quota: { used: number; free: number } | undefined,
  ) {
    switch (name) {
      case "resourcetype":
        return item.kind === "folder" ? "<D:collection/>" : "";
      case "getcontentlength":
        return item.kind === "file" ? String(item.size) : undefined;
      case "getlastmodified":
        return new Date(item.mtime).toUTCString();
      case "getetag":
        return etagOf(item) ? escapeXml(etagOf(item)!) : undefined;
      case "getcontenttype":
        return item.kind === "file" ? escapeXml(item.type || "application/octet-stream") : undefined;
      case "creationdate":
        return new Date(item.createdAt).toISOString();
      case "displayname":
        return escapeXml(item.name || "Home");
      case "supportedlock":
        return "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>" +
          "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>";
      case "lockdiscovery":
        return lockDiscovery(path);
      case "quota-available-bytes":
        return quota ? String(quota.free) : undefined;
      case "quota-used-bytes":
        return quota ? String(quota.used) : undefined;
    }
    return undefined;
  }

  type Want = { kind: "all" } | { kind: "names" } | { kind: "props"; props: PropName[] };

  function responseFor(
    item: Item,
    segments: string[],
    want: Want,
    dead: Map<string, { p: PropName; value: string }> | undefined,
    quota: { used: number; free: number } | undefined,
  ): string {
    const path = pathOf(segments);
    const found: string[] = [];
    const missing: string[] = [];
    if (want.kind === "names") {
      for (const p of LIVE) {
        if (liveValue(item, path, p.name, quota) !== undefined) found.push(propElement(p));
      }
      for (const { p } of dead?.values() ?? []) found.push(propElement(p));
    } else {
      const asked = want.kind === "all"
        ? [...LIVE, ...[...(dead?.values() ?? [])].map((d) => d.p)]
        : want.props;
      for (const p of asked) {
        const value = p.ns === DAV_NS && LIVE_KEYS.has(key(p))
          ? liveValue(item, path, p.name, quota)
          : dead?.get(key(p))?.value;
        if (value === undefined) {
          if (want.kind === "props") missing.push(propElement(p));
        } else found.push(propElement(p, value));
      }
    }
    let out = `<D:response><D:href>${escapeXml(hrefOf(segments, item.kind === "folder"))}</D:href>`;
    if (found.length || !missing.length) out += propstat(found.join(""), 200);
    if (missing.length) out += propstat(missing.join(""), 404);
    return `${out}</D:response>\n`;
  }

  async function propfind(c: Context, target: Target): Promise<Response> {
    if (!target.item) throw new DavError(404, "Not found");
    const depth = c.req.header("depth") ?? "infinity";
    if (depth !== "0" && depth !== "1") {
      throw new DavError(403, "PROPFIND with Depth: infinity is not supported", "propfind-finite-depth");
    }
    const body = await readXml(c);
    let want: Want = { kind: "all" };
    if (body) {
      if (!isDav(body, "propfind")) throw new DavError(400, "A PROPFIND body must be a DAV:propfind element");
      const prop = child(body, "prop");
      if (child(body, "propname")) want = { kind: "names" };
      else if (prop) want = { kind: "props", props: elements(prop).map(propNameOf) };
      else if (!child(body, "allprop")) {
        throw new DavError(400, "A propfind must hold allprop, propname or prop");
      }
    }
    const wantsQuota = want.kind === "props" &&
      want.props.some((p) => p.ns === DAV_NS && p.name.startsWith("quota-"));
    const quota = wantsQuota
      ? { used: (await ops.usage()).bytes, free: freeSpace(core.config.current.dataDir).free }
      : undefined;
    const root = target.item;
    const kids = depth === "1" && root.kind === "folder" ? await items.children(root.id) : [];
    const needDead = want.kind !== "props" ||
      want.props.some((p) => !(p.ns === DAV_NS && LIVE_KEYS.has(key(p))));
    const all = [root, ...kids];
    let next = 0;
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (next === 0) controller.enqueue(encoder.encode(`${XML_HEAD}<D:multistatus xmlns:D="DAV:">\n`));
        if (next >= all.length) {
          controller.enqueue(encoder.encode("</D:multistatus>\n"));
          controller.close();
          return;
        }
        const batch = all.slice(next, next + PROPFIND_BATCH);
        const dead = needDead ? await deadPropsOf(batch.map((i) => i.id)) : new Map();
        let chunk = "";
        for (const item of batch) {
          const segments = item === root ? target.segments : [...target.segments, item.name];
          chunk += responseFor(item, segments, want, dead.get(item.id), quota);
        }
        next += batch.length;
        controller.enqueue(encoder.encode(chunk));
      },
    });
    return new Response(stream, {
      status: 207,
      headers: { "content-type": 'application/xml; charset="utf-8"' },
    });
  }

  async function proppatch(c: Context, target: Target): Promise<Response> {
    if (!target.item) throw new DavError(404, "Not found");
    const tokens = await checkIf(c, target);
    requireUnlocked(target.path, tokens);
    const body = await readXml(c);
    if (!body || !isDav(body, "propertyupdate")) {
      throw new DavError(400, "A PROPPATCH body must be a DAV:propertyupdate element");
    }
    type Op = { set: boolean; p: PropName; value: string };
    const plan: Op[] = [];
    for (const el of elements(body)) {
      const set = isDav(el, "set");
      if (!set && !isDav(el, "remove")) continue;
      const prop = child(el, "prop");
      for (const p of prop ? elements(prop) : []) plan.push({ set, p: propNameOf(p), value: innerXml(p) });
    }
    const refused = plan.filter((o) =>
      o.p.ns === DAV_NS && LIVE_KEYS.has(key(o.p)) && !SETTABLE_LIVE.has(key(o.p))
    );
    const badTime = plan.find((o) =>
      SETTABLE_LIVE.has(key(o.p)) && (!o.set || Number.isNaN(Date.parse(o.value)))
    );
    const item = target.item;
    let body207: string;
    if (refused.length || badTime) {
      const bad = new Set([...refused, ...(badTime ? [badTime] : [])]);
      const failed = plan.filter((o) => bad.has(o)).map((o) => propElement(o.p)).join("");
      const dependent = plan.filter((o) => !bad.has(o)).map((o) => propElement(o.p)).join("");
      body207 = propstat(failed, 403) + (dependent ? propstat(dependent, 424) : "");
    } else {
      await core.db.write(async () => {
        for (const o of plan) {
          if (SETTABLE_LIVE.has(key(o.p))) {
            await core.db.orm.update(itemsTable).set({ mtime: Date.parse(o.value) }).where(
              eq(itemsTable.id, item.id),
            );
          } else if (o.set) {
            await core.db.orm.insert(davProps).values({
              itemId: item.id,
              ns: o.p.ns,
              name: o.p.name,
              value: o.value,
            })
              .onConflictDoUpdate({
                target: [davProps.itemId, davProps.ns, davProps.name],
                set: { value: o.value },
              });
          } else {
            await core.db.orm.delete(davProps).where(
              and(eq(davProps.itemId, item.id), eq(davProps.ns, o.p.ns), eq(davProps.name, o.p.name)),
            );
          }
        }
      });
      body207 = propstat(plan.map((o) => propElement(o.p)).join(""), 200);
    }
    const xml = `${XML_HEAD}<D:multistatus xmlns:D="DAV:"><D:response><D:href>${
      escapeXml(hrefOf(target.segments, item.kind === "folder"))
    }</D:href>${body207}</D:response></D:multistatus>\n`;
    return xmlResponse(xml, 207);
  }

  // ---- content ---------------------------------------------------------------------------------

  function get(c: Context, target: Target, head: boolean): Response {
    const item = target.item;
    if (!item) throw new DavError(404, "Not found");
    if (item.kind === "folder") {
      const text = `This is the WebDAV folder ${target.path}. Mount ${new URL(
        DAV_PREFIX + "/",
        c.req.url,
      )} with an app password.\n`;
      return new Response(head ? null : text, { headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    const file = Bun.file(core.store.blobs.pathOf(item.blobHash!));
    const headers: Record<string, string> = {
      "content-type": item.type || "application/octet-stream",
      etag: etagOf(item)!,
      "last-modified": new Date(item.mtime).toUTCString(),
      "accept-ranges": "bytes",
    };
    const range = parseRange(c.req.header("range"), item.size);
    if (range.kind === "unsatisfiable") {
      return new Response(null, {
        status: 416,
        headers: { ...headers, "content-range": `bytes */${item.size}` },
      });
    }
    if (range.kind === "partial") {
      headers["content-range"] = `bytes ${range.start}-${range.end}/${item.size}`;
      headers["content-length"] = String(range.end - range.start + 1);
      return new Response(head ? null : file.slice(range.start, range.end + 1), { status: 206, headers });
    }
    headers["content-length"] = String(item.size);
    return new Response(head ? null : file, { headers });
  }

  async function put(c: Context, target: Target): Promise<Response> {
    if (target.item?.kind === "folder") throw new DavError(405, "A folder cannot be overwritten with a file");
    if (!target.parent) throw new DavError(409, "The folder to put this file in does not exist");
    if (!target.segments.length) throw new DavError(405, "The root is a folder");
    const tokens = await checkIf(c, target);
    requireUnlocked(target.path, tokens);
    const mtimeHeader = Number(c.req.header("x-oc-mtime"));
    const mtime = Number.isFinite(mtimeHeader) && mtimeHeader > 0 ? mtimeHeader * 1000 : Date.now();
    const body = c.req.raw.body ?? new Blob([]).stream();
    const name = target.segments.at(-1)!;
    const done = await core.store.putStream(target.parent.id, name, body, {
      mtime,
      type: c.req.header("content-type")?.split(";")[0],
    });
    if (done.outcome === "unchanged" && Number.isFinite(mtimeHeader) && mtimeHeader > 0) {
      await core.db.write(() =>
        core.db.orm.update(itemsTable).set({ mtime }).where(eq(itemsTable.id, done.item.id))
      );
    }
    ops.forgetUsage();
    const headers: Record<string, string> = { etag: etagOfHash(done.item.blobHash!) };
    if (Number.isFinite(mtimeHeader) && mtimeHeader > 0) headers["x-oc-mtime"] = "accepted";
    return new Response(null, { status: target.item ? 204 : 201, headers });
  }

  async function mkcol(c: Context, target: Target): Promise<Response> {
    if ((await c.req.arrayBuffer()).byteLength > 0) throw new DavError(415, "MKCOL takes no body");
    if (target.item) throw new DavError(405, "Something of that name already exists");
    if (!target.parent) throw new DavError(409, "The folder to make this folder in does not exist");
    const tokens = await checkIf(c, target);
    requireUnlocked(target.path, tokens);
    await ops.mkdir(target.parent.id, target.segments.at(-1)!);
    return new Response(null, { status: 201 });
  }

  async function del(c: Context, target: Target): Promise<Response> {
    if (!target.item) throw new DavError(404, "Not found");
    if (target.item.id === ROOT_ID) throw new DavError(403, "The root cannot be deleted");
    const tokens = await checkIf(c, target);
    requireUnlocked(target.path, tokens, true);
    await ops.trash([target.item.id]);
    ops.forgetUsage();
    locks.forget(target.path);
    return new Response(null, { status: 204 });
  }

  async function copyOrMove(c: Context, target: Target, move: boolean): Promise<Response> {
    if (!target.item) throw new DavError(404, "Not found");
    if (move && target.item.id === ROOT_ID) throw new DavError(403, "The root cannot be moved");
    const destination = c.req.header("destination");
    if (!destination) throw new DavError(400, "A Destination header is needed");
    let destUrl: URL;
    try {
      destUrl = new URL(destination, c.req.url);
    } catch {
      throw new DavError(400, "The Destination is not a URL");
    }
    if (destUrl.host !== new URL(c.req.url).host) {
      throw new DavError(502, "The Destination is on another server");
    }
    const dest = await resolveSegments(segmentsOf(destUrl.pathname));
    if (!dest.segments.length) throw new DavError(403, "The root cannot be replaced");
    if (dest.path === target.path) throw new DavError(403, "The source and the destination are the same");
    if (target.item.kind === "folder" && (dest.path + "/").startsWith(target.path + "/")) {
      throw new DavError(403, "A folder cannot be copied or moved into itself");
    }
    if (!dest.parent) throw new DavError(409, "The destination's folder does not exist");
    const overwrite = (c.req.header("overwrite") ?? "T").toUpperCase() !== "F";
    const tokens = await checkIf(c, target);
    if (move) requireUnlocked(target.path, tokens, true);
    requireUnlocked(dest.path, tokens, true);
    if (dest.item && !overwrite) throw new DavError(412, "The destination exists and Overwrite is F");
    const depth = c.req.header("depth") ?? "infinity";
    if (move && depth !== "infinity") throw new DavError(400, "MOVE of a folder needs Depth: infinity");
    if (!move && depth !== "0" && depth !== "infinity") {
      throw new DavError(400, "COPY takes Depth 0 or infinity");
    }
    if (dest.item) {
      await ops.trash([dest.item.id]);
      locks.forget(dest.path);
    }
    const name = dest.segments.at(-1)!;
    if (move) {
      await ops.moveTo(target.item.id, dest.parent.id, name);
      locks.forget(target.path);
    } else {
      const copy = await ops.copyTo(target.item.id, dest.parent.id, name, depth === "0");
      const props = await core.db.orm.select().from(davProps).where(eq(davProps.itemId, target.item.id));
      if (props.length) {
        await core.db.write(() =>
          core.db.orm.insert(davProps).values(props.map((p) => ({ ...p, itemId: copy.id })))
            .onConflictDoNothing()
        );
      }
    }
    ops.forgetUsage();
    return new Response(null, { status: dest.item ? 204 : 201 });
  }

  // ---- locks -----------------------------------------------------------------------------------

  async function lock(c: Context, target: Target): Promise<Response> {
    const body = await readXml(c);
    const timeoutS = parseTimeout(c.req.header("timeout"));
    if (!body) {
      // A refresh: the If header names the lock.
      const tokens = await checkIf(c, target);
      const l = [...tokens].map((t) => locks.get(t)).find((x) =>
        x && locks.covering(target.path).includes(x)
      );
      if (!l) throw new DavError(412, "Name the lock to refresh in the If header");
      locks.refresh(l.token, timeoutS);
      return xmlResponse(lockBody(l), 200);
    }
    if (!isDav(body, "lockinfo")) throw new DavError(400, "A LOCK body must be a DAV:lockinfo element");
    const scopeEl = child(body, "lockscope");
    const scope = scopeEl && child(scopeEl, "shared")
      ? "shared"
      : scopeEl && child(scopeEl, "exclusive")
      ? "exclusive"
      : undefined;
    if (!scope) throw new DavError(400, "The lockinfo needs a lockscope of exclusive or shared");
    const typeEl = child(body, "locktype");
    if (!typeEl || !child(typeEl, "write")) throw new DavError(400, "Only write locks exist");
    const depthHeader = c.req.header("depth") ?? "infinity";
    if (depthHeader !== "0" && depthHeader !== "infinity") {
      throw new DavError(400, "LOCK takes Depth 0 or infinity");
    }
    const ownerEl = child(body, "owner");
    const tokens = await checkIf(c, target);
    let created = false;
    if (!target.item) {
      if (!target.parent) throw new DavError(409, "The folder for this resource does not exist");
      requireUnlocked(target.path, tokens);
      await core.store.putStream(target.parent.id, target.segments.at(-1)!, new Blob([]).stream(), {
        mtime: Date.now(),
      });
      created = true;
    }
    let l: Lock;
    try {
      l = locks.lock({
        path: target.path,
        scope,
        depth: depthHeader,
        ownerXml: ownerEl ? innerXml(ownerEl) : "",
        timeoutS,
        principal: d.principalOf(c),
      });
    } catch (e) {
      if (e instanceof LockConflict) throw new DavError(423, e.message, "no-conflicting-lock");
      throw e;
    }
    const res = xmlResponse(lockBody(l), created ? 201 : 200);
    res.headers.set("lock-token", `<${l.token}>`);
    return res;
  }

  function unlock(c: Context, target: Target): Response {
    const raw = c.req.header("lock-token") ?? "";
    const token = /^\s*<([^>]+)>\s*$/.exec(raw)?.[1];
    if (!token) throw new DavError(400, "UNLOCK needs a Lock-Token header: <token>");
    const l = locks.get(token);
    if (!l || !locks.covering(target.path).includes(l)) {
      throw new DavError(409, "No such lock on this resource", "lock-token-matches-request-uri");
    }
    locks.unlock(token);
    return new Response(null, { status: 204 });
  }

  // ---- dispatch --------------------------------------------------------------------------------

  return async function dav(c: Context): Promise<Response> {
    const method = c.req.method.toUpperCase();
    try {
      if (method === "OPTIONS") return options();
      const target = await resolveSegments(segmentsOf(new URL(c.req.url).pathname));
      switch (method) {
        case "PROPFIND":
          return await propfind(c, target);
        case "PROPPATCH":
          return await proppatch(c, target);
        case "GET":
          return get(c, target, false);
        case "HEAD":
          return get(c, target, true);
        case "PUT":
          return await put(c, target);
        case "MKCOL":
          return await mkcol(c, target);
        case "DELETE":
          return await del(c, target);
        case "COPY":
          return await copyOrMove(c, target, false);
        case "MOVE":
          return await copyOrMove(c, target, true);
        case "LOCK":
          return await lock(c, target);
        case "UNLOCK":
          return unlock(c, target);
      }
      throw new DavError(405, `${method} is not a WebDAV method here`);
    } catch (e) {
      return errorResponse(e, core);
    }
  };
}

function options(): Response {
  return new Response(null, {
    headers: { dav: "1, 2", "ms-author-via": "DAV", allow: DAV_METHODS.join(", "), "content-length": "0" },
  });
}

function errorResponse(e: unknown, core: Core): Response {
  let status = 500;
  let message = "Something went wrong on this server. It has been logged.";
  let condition: string | undefined;
  const storage = storageFailure(e);
  if (e instanceof DavError) [status, message, condition] = [e.status, e.message, e.condition];
  else if (e instanceof ItemNameError) [status, message] = [400, e.message];
  else if (e instanceof ItemConflictError) [status, message] = [409, e.message];
  else if (e instanceof FileOpError) [status, message] = [403, e.message];
  else if (storage) [status, message] = [storage.status, storage.message];
  else core.log.error("webdav request failed", { error: (e as Error).message });
  if (condition) {
    return xmlResponse(`${XML_HEAD}<D:error xmlns:D="DAV:"><D:${condition}/></D:error>\n`, status);
  }
  return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function xmlResponse(xml: string, status: number): Response {
  return new Response(xml, { status, headers: { "content-type": 'application/xml; charset="utf-8"' } });
}

function propstat(props: string, status: number): string {
  return `<D:propstat><D:prop>${props}</D:prop><D:status>${statusLine(status)}</D:status></D:propstat>`;
}

function activeLock(l: Lock): string {
  return `<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:${l.scope}/></D:lockscope>` +
    `<D:depth>${l.depth === "0" ? "0" : "infinity"}</D:depth>` +
    (l.ownerXml ? `<D:owner>${l.ownerXml}</D:owner>` : "") +
    `<D:timeout>Second-${Math.max(0, Math.round((l.expiresAt - Date.now()) / 1000))}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(l.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${
      escapeXml(DAV_PREFIX + l.path.split("/").map(encodeSegment).join("/"))
    }</D:href></D:lockroot>` +
    `</D:activelock>`;
}

function lockBody(l: Lock): string {
  return `${XML_HEAD}<D:prop xmlns:D="DAV:"><D:lockdiscovery>${activeLock(l)}</D:lockdiscovery></D:prop>\n`;
}

/**
 * A file's ETag: its content hash (SHA-256), written in unpadded base64url rather than hex. Clients
 * echo ETags in If headers next to a lock token, and some build those in fixed buffers (litmus's is
 * 200 bytes: a 64-digit tag twice does not fit, 43 characters does).
 */
export function etagOfHash(hexHash: string): string {
  return `"${Buffer.from(hexHash, "hex").toString("base64url")}"`;
}

function pathOf(segments: string[]): string {
  return `/${segments.join("/")}`;
}

/** A path segment percent-encoded for an href (RFC 3986 pchar). */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}
