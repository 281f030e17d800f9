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
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`signed_at` integer NOT NULL,
	`event_type` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `event_id`, `signed_at`)
);
--> statement-breakpoint
CREATE INDEX `webhook_received` ON `webhook_deliveries` (`received_at`);--> statement-breakpoint
ALTER TABLE `payments` ADD `external_id` text;--> statement-breakpoint
ALTER TABLE `payments` ADD `checkout_url` text;--> statement-breakpoint
ALTER TABLE `payments` ADD `grace_until` integer;--> statement-breakpoint
ALTER TABLE `payments` ADD `refunded_at` integer;--> statement-breakpoint
ALTER TABLE `payments` ADD `refund_id` text;--> statement-breakpoint
CREATE INDEX `payments_status` ON `payments` (`status`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_external` ON `payments` (`provider`,`external_id`);