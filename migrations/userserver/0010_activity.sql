CREATE TABLE `activity` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor` text NOT NULL,
	`item_id` text NOT NULL,
	`last_item_id` text NOT NULL,
	`title` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `activity_last` ON `activity` (`last_at`);--> statement-breakpoint
CREATE INDEX `activity_item` ON `activity` (`item_id`,`last_at`);