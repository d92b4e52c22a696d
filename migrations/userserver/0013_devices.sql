CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`platform` text NOT NULL,
	`secret_hash` text NOT NULL,
	`previous_secret_hash` text,
	`previous_valid_until` integer,
	`rotated_at` integer NOT NULL,
	`paired_at` integer NOT NULL,
	`last_seen_at` integer,
	`last_seen_from` text,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE TABLE `pairings` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`device_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pairings_token_hash_unique` ON `pairings` (`token_hash`);