/** Request bodies at the edge. Route handlers get their types from these schemas (`z.infer`). */
import { z } from "zod";

const text = (max: number) => z.string().trim().min(1).max(max);
const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const id = z.string().min(1).max(100);

export const sessionBody = z.object({
  name: text(100),
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
});

export const bandBody = z.object({
  name: text(200),
  genre: text(100),
  description: z.string().trim().max(5000).optional().default(""),
});

export const sectorInput = z.object({
  name: text(100),
  capacity: z.int().min(1).max(100_000),
  priceCents: z.int().min(0).max(100_000_000),
  meiaShare: z.number().min(0).max(1).optional().default(0.4),
});

export const showBody = z.object({
  bandId: id,
  festival: z.string().trim().max(200).optional(),
  address: text(500),
  startsAt: isoTime,
  salesOpenAt: isoTime.optional(),
  holdSeconds: z.int().min(1).max(3600).optional().default(600),
  maxTicketsPerUser: z.int().min(1).max(20).optional().default(4),
  sectors: z
    .array(sectorInput)
    .min(1)
    .max(50)
    .refine((s) => new Set(s.map((x) => x.name)).size === s.length, "sector names must be unique"),
});

export const ticketRequestBody = z.object({
  sector: text(100),
  meia: z.boolean().optional().default(false),
});

export const bookBody = z.object({
  ticketId: id,
  paymentId: id,
});

export const paymentBody = z.object({
  showId: id,
  ticketId: id,
});

export const verifyTicketBody = z.object({
  code: z.string().trim().min(1).max(500),
  /** The show whose door is checking: a code for another show is refused. */
  showId: id.optional(),
});

// --- the door and the organizers' console ---------------------------------------------------------

const gateName = z.string().trim().min(1).max(60);

export const checkinBody = z.object({
  code: z.string().trim().min(1).max(500),
  /** Which gate scanned (shown in the console); a door link's own label by default. */
  gate: gateName.optional(),
  /** The organizer's token checks any show: name it to refuse codes of the others. */
  showId: id.optional(),
});

/** A gate's offline admissions, sent when the network is back. */
export const syncBody = z.object({
  showId: id.optional(),
  scans: z
    .array(
      z.object({
        scanId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8 to 64 letters, digits, - or _"),
        code: z.string().trim().min(1).max(500),
        gate: gateName.optional(),
        scannedAt: isoTime,
      }),
    )
    .min(1)
    // Bodies stay under 16 KiB: a gate sends its backlog in batches.
    .max(40),
});

export const doorSessionBody = z.object({ token: z.string().min(1).max(200) });

export const credentialBody = z.object({
  label: gateName,
  /** Defaults to a day after the show starts; never later than that. */
  expiresAt: isoTime.optional(),
});

export type SessionBody = z.infer<typeof sessionBody>;
export type BandBody = z.infer<typeof bandBody>;
export type ShowBody = z.infer<typeof showBody>;
export type SectorInput = z.infer<typeof sectorInput>;
export type TicketRequestBody = z.infer<typeof ticketRequestBody>;
