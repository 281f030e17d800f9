ALTER TABLE `shows` ADD `prequeue_opens_at` integer;--> statement-breakpoint
ALTER TABLE `shows` ADD `draw_commitment` text;