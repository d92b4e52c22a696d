/** Add: import jobs from under the import roots, and the plugin that shows them. */
export { Importer, type ImporterOptions, type Job, JobNotFoundError, type Skipped } from "./jobs.ts";
export { addPlugin, isDirectory } from "./plugin.tsx";
