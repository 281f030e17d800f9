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