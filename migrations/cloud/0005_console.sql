CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_account_id` text,
	`actor_email` text NOT NULL,
	`action` text NOT NULL,
	`account_id` text,
	`server_id` text,
	`server_name` text,
	`reason_code` text,
	`note` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_account` ON `audit_log` (`account_id`,`at`);--> statement-breakpoint
CREATE TABLE `operator_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage` (
	`server_id` text NOT NULL,
	`relay_id` text NOT NULL,
	`period` text NOT NULL,
	`start` integer NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`connections` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`server_id`, `relay_id`, `period`, `start`)
);
--> statement-breakpoint
CREATE INDEX `usage_start` ON `usage` (`period`,`start`);--> statement-breakpoint
ALTER TABLE `relays` ADD `version` text;--> statement-breakpoint
ALTER TABLE `relays` ADD `started_at` integer;--> statement-breakpoint
ALTER TABLE `servers` ADD `state` text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE `servers` ADD `state_reason` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `state_changed_at` integer;--> statement-breakpoint
ALTER TABLE `accounts` ADD `operator_since` integer;