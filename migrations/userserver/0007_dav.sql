CREATE TABLE `app_passwords` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`last_used_from` text
);
--> statement-breakpoint
CREATE TABLE `dav_props` (
	`item_id` text NOT NULL,
	`ns` text NOT NULL,
	`name` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`item_id`, `ns`, `name`)
);
