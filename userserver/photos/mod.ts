/** Photos: the timeline, albums, the viewer and shared albums (see plugin.tsx). */
export { createPhotos, type Photos } from "./plugin.tsx";
export { Catalog, type PhotoRow, type Tile } from "./catalog.ts";
export { PhotoIndexer } from "./indexer.ts";
export { pipelinePaths, processMedia } from "./pipeline.ts";
export { type ServedBytes, VisitorCopies } from "./visitor_copies.ts";
export { stripJpegGps } from "./strip_gps.ts";
