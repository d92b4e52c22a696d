/** The activity stream (see plugin.tsx and stream.ts). */
export { type ActivityModule, createActivity } from "./plugin.tsx";
export { ActivityStream, COALESCE_MS } from "./stream.ts";
