/** The file manager (the Browse plugin): its plugin, the listing it pages through, and its parsers. */
export { createFiles, type Files, filesPlugin, type FilesPluginOptions } from "./plugin.tsx";
export {
  DEFAULT_PER,
  type ListPage,
  type ListQuery,
  listQueryString,
  PAGE_SIZES,
  parseListQuery,
  SORTS,
} from "./listing.ts";
export { FileOpError, FileOps, TRASH_ID, type TrashEntry } from "./ops.ts";
export { MAX_TEXT_PREVIEW, previewKind } from "./preview.ts";
export { parseRange, type RangeResult } from "./range.ts";
export { canThumbnail, Thumbnailer } from "./thumbs.ts";
export { MAX_UPLOAD_BYTES, UPLOAD_PATH, Uploads } from "./uploads.ts";
export { type ZipEntry, zipStream } from "./zip.ts";
export { fileResponse, type FileResponseOptions, type VisitorBytes } from "./file_response.ts";
export { zipHeaders, zipTree } from "./zip_tree.ts";
export { FolderQueries } from "./queries.ts";
