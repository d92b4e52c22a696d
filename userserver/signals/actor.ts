/**
 * Who caused a signal. The door (relayed_app's setViewer, DAV's own door) runs each request
 * inside `actingAs(viewer, …)`; every signal published while that request is handled — however
 * deep in the store — is then delivered in the same async context, so a subscriber such as
 * activity asks `currentActor()` instead of every store method taking an actor argument.
 * Work with no request behind it (a sweep, a job started at boot) has no actor: the owner's.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Viewer } from "../permissions/mod.ts";

export interface Actor {
  kind: "owner" | "device" | "link" | "friend";
  /** The owner's or friend's name, the device's (app password's) label, or the link's label. */
  name: string;
}

const actors = new AsyncLocalStorage<Actor>();

/** The actor a viewer acts as; anonymous visitors change nothing, so they have none. */
export function actorOf(viewer: Viewer): Actor | undefined {
  switch (viewer.kind) {
    case "owner":
      return { kind: "owner", name: viewer.name };
    case "device":
      return { kind: "device", name: viewer.name };
    case "friend":
      return { kind: "friend", name: viewer.name };
    case "linkGuest":
      return { kind: "link", name: viewer.label };
    case "anonymous":
      return undefined;
  }
}

/** Runs `fn` (a request's handling) with `viewer` as the actor of whatever it publishes. */
export function actingAs<T>(viewer: Viewer, fn: () => T): T {
  const actor = actorOf(viewer);
  return actor ? actors.run(actor, fn) : fn();
}

/** The actor of the request being handled, if any. */
export function currentActor(): Actor | undefined {
  return actors.getStore();
}
