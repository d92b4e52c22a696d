CREATE TABLE `collection_items` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`format` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `collection_items_created` ON `collection_items` (`created_at`);