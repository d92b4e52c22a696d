-- Comments' text in the search index as a column of its own (userserver/search): the owner's
-- searches match it; a friend's or a link guest's never read it. FTS5 cannot add a column, so the
-- table is made anew with the same words (no file is extracted again), then renamed.
CREATE VIRTUAL TABLE `search_fts_v2` USING fts5(name, path, body, fields, comments, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
--> statement-breakpoint
INSERT INTO `search_fts_v2` (`rowid`, `name`, `path`, `body`, `fields`, `comments`) SELECT `rowid`, `name`, `path`, `body`, `fields`, '' FROM `search_fts`;
--> statement-breakpoint
DROP TABLE `search_fts`;
--> statement-breakpoint
ALTER TABLE `search_fts_v2` RENAME TO `search_fts`;
--> statement-breakpoint
-- Ranking: name, path, the text, extracted fields; a comment counts like a field.
INSERT INTO `search_fts` (`search_fts`, `rank`) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 2.0, 2.0)');
--> statement-breakpoint
-- Items that already have comments are indexed again, now with them (comments follow content: a
-- file's are keyed by its blob, a folder's by its id).
INSERT INTO `search_queue` (`item_id`, `priority`, `enqueued_at`)
  SELECT `i`.`id`, 0, 0 FROM `items` `i` WHERE `i`.`parent_id` IS NOT NULL AND EXISTS (
    SELECT 1 FROM `comments` `c` WHERE `c`.`item_key` = CASE
      WHEN `i`.`kind` = 'file' AND `i`.`blob_hash` IS NOT NULL THEN 'blob:' || `i`.`blob_hash`
      ELSE 'item:' || `i`.`id` END)
  ON CONFLICT (`item_id`) DO NOTHING;
