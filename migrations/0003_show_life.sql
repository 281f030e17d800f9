DROP INDEX `shows_starts_at`;--> statement-breakpoint
ALTER TABLE `shows` ADD `status` text DEFAULT 'ready' NOT NULL;--> statement-breakpoint
ALTER TABLE `shows` ADD `seats_total` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `shows` ADD `seats_created` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `shows` ADD `archived_at` integer;--> statement-breakpoint
CREATE INDEX `shows_listing` ON `shows` (`starts_at`,`id`);