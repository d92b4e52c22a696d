CREATE TABLE `friend_shares` (
	`friend` text NOT NULL,
	`item_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`type` text NOT NULL,
	`size` integer NOT NULL,
	`mtime` integer NOT NULL,
	`access` text NOT NULL,
	`has_thumb` integer DEFAULT false NOT NULL,
	`fetched_at` integer NOT NULL,
	PRIMARY KEY(`friend`, `item_id`)
);
--> statement-breakpoint
CREATE TABLE `friends` (
	`name` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`rejected_by` text,
	`public_key_jwk` text NOT NULL,
	`new_key_jwk` text,
	`key_changed_at` integer,
	`note` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
