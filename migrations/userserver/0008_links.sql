CREATE TABLE `links` (
	`id` text PRIMARY KEY NOT NULL,
	`token` text NOT NULL,
	`item_id` text NOT NULL,
	`label` text NOT NULL,
	`password_hash` text,
	`active` integer DEFAULT true NOT NULL,
	`expires_at` integer,
	`download_limit` integer,
	`preview_only` integer DEFAULT false NOT NULL,
	`file_drop` integer DEFAULT false NOT NULL,
	`hide_download` integer DEFAULT false NOT NULL,
	`allow_comments` integer DEFAULT false NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`downloads` integer DEFAULT 0 NOT NULL,
	`uploads` integer DEFAULT 0 NOT NULL,
	`failed_passwords` integer DEFAULT 0 NOT NULL,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `links_token_unique` ON `links` (`token`);--> statement-breakpoint
CREATE INDEX `links_item` ON `links` (`item_id`);