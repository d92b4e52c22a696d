CREATE TABLE `attach_nonces` (
	`nonce` text PRIMARY KEY NOT NULL,
	`server_id` text NOT NULL,
	`relay_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `attach_nonces_expires` ON `attach_nonces` (`expires_at`);--> statement-breakpoint
CREATE TABLE `relays` (
	`id` text PRIMARY KEY NOT NULL,
	`host_name` text NOT NULL,
	`tunnel_address` text NOT NULL,
	`browser_addresses` text DEFAULT '[]' NOT NULL,
	`browser_port` integer DEFAULT 443 NOT NULL,
	`credential_hash` text NOT NULL,
	`last_heartbeat_at` integer,
	`dead_at` integer,
	`load_tunnels` integer DEFAULT 0 NOT NULL,
	`load_streams` integer DEFAULT 0 NOT NULL,
	`load_bytes_per_second` real DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `relays_host_name_unique` ON `relays` (`host_name`);--> statement-breakpoint
CREATE TABLE `servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`public_key_jwk` text NOT NULL,
	`totp_secret` text NOT NULL,
	`account_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `servers_name_unique` ON `servers` (`name`);--> statement-breakpoint
CREATE TABLE `throttles` (
	`key` text PRIMARY KEY NOT NULL,
	`tokens` real NOT NULL,
	`updated_at` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`banned_until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tunnel_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`server_id` text NOT NULL,
	`relay_id` text NOT NULL,
	`kind` text NOT NULL,
	`remote_address` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tunnel_events_server` ON `tunnel_events` (`server_id`,`at`);--> statement-breakpoint
CREATE TABLE `tunnels` (
	`server_id` text NOT NULL,
	`relay_id` text NOT NULL,
	`remote_address` text NOT NULL,
	`up_at` integer NOT NULL,
	PRIMARY KEY(`server_id`, `relay_id`)
);
