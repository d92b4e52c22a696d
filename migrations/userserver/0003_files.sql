CREATE TABLE `file_favorites` (
	`item_id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `file_recent` (
	`item_id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `file_recent_at` ON `file_recent` (`at`);--> statement-breakpoint
CREATE TABLE `file_trash` (
	`item_id` text PRIMARY KEY NOT NULL,
	`original_parent_id` text NOT NULL,
	`original_name` text NOT NULL,
	`deleted_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `file_trash_deleted` ON `file_trash` (`deleted_at`);--> statement-breakpoint
CREATE INDEX `items_parent_kind_name` ON `items` (`parent_id`,`kind`,"name" collate nocase);--> statement-breakpoint
CREATE INDEX `items_parent_kind_size` ON `items` (`parent_id`,`kind`,`size`);--> statement-breakpoint
CREATE INDEX `items_parent_kind_mtime` ON `items` (`parent_id`,`kind`,`mtime`);