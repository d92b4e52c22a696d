CREATE TABLE `comment_revisions` (
	`comment_id` text NOT NULL,
	`content` text NOT NULL,
	`replaced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `comment_revisions_comment` ON `comment_revisions` (`comment_id`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`item_key` text NOT NULL,
	`thread_id` text NOT NULL,
	`parent_id` text,
	`author` text NOT NULL,
	`author_kind` text NOT NULL,
	`link_id` text,
	`content` text NOT NULL,
	`ip` text NOT NULL,
	`visibility` text NOT NULL,
	`resolved` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`edited_at` integer
);
--> statement-breakpoint
CREATE INDEX `comments_item` ON `comments` (`item_key`,`created_at`);