export { createCloudApp } from "./app.ts";
export type { CloudDeps } from "./deps.ts";
