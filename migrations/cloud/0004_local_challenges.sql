CREATE TABLE `local_challenges` (
	`id` text PRIMARY KEY NOT NULL,
	`server_id` text NOT NULL,
	`return_to` text NOT NULL,
	`expires_at` integer NOT NULL,
	`confirmed_by` text
);
