CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`sub` text NOT NULL,
	`email` text DEFAULT '' NOT NULL,
	`is_owner` integer NOT NULL,
	`id_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
