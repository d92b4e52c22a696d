/** Comments: threads on files and folders, keyed by content (see plugin.tsx). */
export { type CommentsModule, createComments } from "./plugin.tsx";
export { type Comment, Comments, itemKey } from "./store.ts";
export { renderMarkdown } from "./markdown.ts";
