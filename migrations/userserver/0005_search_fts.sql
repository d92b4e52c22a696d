-- Full-text search (userserver/search). rowid = search_docs.doc_id.
-- Words: unicode61 folds case and diacritics ("Café" finds "cafe"); bm25 ranks; prefix indexes
-- of 2 and 3 characters keep search-as-you-type prefixes cheap.
CREATE VIRTUAL TABLE `search_fts` USING fts5(name, path, body, fields, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
--> statement-breakpoint
-- Names again as trigrams: typo-tolerant name matches ("holliday" finds "holiday.jpg").
CREATE VIRTUAL TABLE `search_names` USING fts5(name, tokenize = 'trigram');
--> statement-breakpoint
-- Ranking: a word in the name counts most, then the path, the extracted fields, the body.
INSERT INTO `search_fts` (`search_fts`, `rank`) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 2.0)');
