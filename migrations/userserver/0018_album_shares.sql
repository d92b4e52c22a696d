CREATE TABLE `photo_album_shares` (
	`album_id` text NOT NULL,
	`principal` text NOT NULL,
	PRIMARY KEY(`album_id`, `principal`)
);
--> statement-breakpoint
CREATE INDEX `photo_album_shares_principal` ON `photo_album_shares` (`principal`);