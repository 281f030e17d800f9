CREATE TABLE `checkin_conflicts` (
	`scan_id` text PRIMARY KEY NOT NULL,
	`ticket_id` text NOT NULL,
	`show_id` text NOT NULL,
	`gate` text NOT NULL,
	`scanned_at` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `checkin_conflicts_show` ON `checkin_conflicts` (`show_id`,`scanned_at`);--> statement-breakpoint
CREATE TABLE `checkins` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`show_id` text NOT NULL,
	`gate` text NOT NULL,
	`checked_in_at` integer NOT NULL,
	`scan_id` text NOT NULL,
	`offline` integer NOT NULL,
	`credential_id` text,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkins_scan_id_unique` ON `checkins` (`scan_id`);--> statement-breakpoint
CREATE INDEX `checkins_show_gate` ON `checkins` (`show_id`,`gate`);--> statement-breakpoint
CREATE TABLE `door_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`show_id` text NOT NULL,
	`label` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `door_credentials_show` ON `door_credentials` (`show_id`);--> statement-breakpoint
CREATE TABLE `queue_samples` (
	`show_id` text NOT NULL,
	`at` integer NOT NULL,
	`waiting` integer NOT NULL,
	PRIMARY KEY(`show_id`, `at`),
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
