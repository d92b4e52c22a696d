CREATE TABLE `search_docs` (
	`doc_id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` text NOT NULL,
	`blob_hash` text,
	`status` text NOT NULL,
	`reason` text,
	`chars` integer DEFAULT 0 NOT NULL,
	`indexed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_docs_item_id_unique` ON `search_docs` (`item_id`);--> statement-breakpoint
CREATE TABLE `search_queue` (
	`item_id` text PRIMARY KEY NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`enqueued_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `search_queue_order` ON `search_queue` (`priority`,`enqueued_at`);