CREATE TABLE `bands` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`genre` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`show_id` text NOT NULL,
	`ticket_id` text NOT NULL,
	`user_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`provider` text NOT NULL,
	`created_at` integer NOT NULL,
	`approved_at` integer,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `payments_ticket_user` ON `payments` (`ticket_id`,`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `payments_show_status` ON `payments` (`show_id`,`status`);--> statement-breakpoint
CREATE TABLE `sectors` (
	`show_id` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`capacity` integer NOT NULL,
	`price_cents` integer NOT NULL,
	`meia_price_cents` integer NOT NULL,
	`meia_count` integer NOT NULL,
	PRIMARY KEY(`show_id`, `name`),
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `shows` (
	`id` text PRIMARY KEY NOT NULL,
	`band_id` text NOT NULL,
	`festival` text,
	`address` text NOT NULL,
	`starts_at` integer NOT NULL,
	`sales_open_at` integer NOT NULL,
	`hold_seconds` integer NOT NULL,
	`max_tickets_per_user` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`band_id`) REFERENCES `bands`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shows_starts_at` ON `shows` (`starts_at`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`show_id` text NOT NULL,
	`number` integer NOT NULL,
	`sector` text NOT NULL,
	`meia` integer NOT NULL,
	`price_cents` integer NOT NULL,
	`status` text DEFAULT 'AVAILABLE' NOT NULL,
	`user_id` text,
	`hold_expires_at` integer,
	`booked_at` integer,
	`payment_id` text,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tickets_class_status` ON `tickets` (`show_id`,`sector`,`meia`,`status`,`number`);--> statement-breakpoint
CREATE INDEX `tickets_hold_expiry` ON `tickets` (`status`,`hold_expires_at`);--> statement-breakpoint
CREATE INDEX `tickets_show_user` ON `tickets` (`show_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_payment` ON `tickets` (`payment_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);