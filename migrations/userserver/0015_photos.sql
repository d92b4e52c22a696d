CREATE TABLE `photo_album_items` (
	`album_id` text NOT NULL,
	`item_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`album_id`, `item_id`)
);
--> statement-breakpoint
CREATE INDEX `photo_album_items_order` ON `photo_album_items` (`album_id`,`position`);--> statement-breakpoint
CREATE INDEX `photo_album_items_item` ON `photo_album_items` (`item_id`);--> statement-breakpoint
CREATE TABLE `photo_albums` (
	`id` text PRIMARY KEY NOT NULL,
	`folder_id` text,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`cover_item_id` text,
	`skin` text DEFAULT 'grid' NOT NULL,
	`share_token` text,
	`share_gps` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `photo_albums_folder_id_unique` ON `photo_albums` (`folder_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `photo_albums_share_token_unique` ON `photo_albums` (`share_token`);--> statement-breakpoint
CREATE TABLE `photo_days` (
	`day` integer PRIMARY KEY NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `photos` (
	`item_id` text PRIMARY KEY NOT NULL,
	`blob_hash` text NOT NULL,
	`kind` text NOT NULL,
	`taken_at` integer NOT NULL,
	`day` integer NOT NULL,
	`taken_from` text NOT NULL,
	`width` integer DEFAULT 0 NOT NULL,
	`height` integer DEFAULT 0 NOT NULL,
	`colour` text DEFAULT '' NOT NULL,
	`exif` text DEFAULT '{}' NOT NULL,
	`latitude` real,
	`longitude` real,
	`trashed` integer DEFAULT false NOT NULL,
	`state` text NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `photos_timeline` ON `photos` (`trashed`,`day`,`taken_at`,`item_id`);--> statement-breakpoint
CREATE INDEX `photos_state` ON `photos` (`state`);--> statement-breakpoint
CREATE INDEX `photos_blob` ON `photos` (`blob_hash`);--> statement-breakpoint
CREATE TRIGGER `photo_days_insert` AFTER INSERT ON `photos` WHEN NEW.`trashed` = 0 BEGIN
  INSERT INTO `photo_days` (`day`, `count`) VALUES (NEW.`day`, 1)
    ON CONFLICT(`day`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `photo_days_delete` AFTER DELETE ON `photos` WHEN OLD.`trashed` = 0 BEGIN
  UPDATE `photo_days` SET `count` = `count` - 1 WHERE `day` = OLD.`day`;
  DELETE FROM `photo_days` WHERE `day` = OLD.`day` AND `count` <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `photo_days_update` AFTER UPDATE OF `day`, `trashed` ON `photos`
  WHEN OLD.`day` != NEW.`day` OR OLD.`trashed` != NEW.`trashed` BEGIN
  UPDATE `photo_days` SET `count` = `count` - 1 WHERE `day` = OLD.`day` AND OLD.`trashed` = 0;
  DELETE FROM `photo_days` WHERE `day` = OLD.`day` AND `count` <= 0;
  INSERT INTO `photo_days` (`day`, `count`) SELECT NEW.`day`, 1 WHERE NEW.`trashed` = 0
    ON CONFLICT(`day`) DO UPDATE SET `count` = `count` + 1;
END;
