/** Request bodies at the edge. Route handlers get their types from these schemas (`z.infer`). */
import { z } from "zod";
import { LANGS } from "./page/i18n";

const text = (max: number) => z.string().trim().min(1).max(max);
const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const id = z.string().min(1).max(100);

/** Trimmed and lowercased before it is checked: `" Ana@Example.com "` is `ana@example.com`. */
export const emailField = z.string().trim().toLowerCase().pipe(z.email().max(254));

export const sessionBody = z.object({
  name: text(100),
  email: emailField,
  /** The language of the mail with the code; by default the page's (cookie, then Accept-Language). */
  lang: z.enum(LANGS).optional(),
});

/** A code as typed or pasted: spaces and dashes between the digits are fine. */
export const codeField = z
  .string()
  .max(20)
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "the code has six digits"));

export const verifyBody = z.object({
  challenge: z.string().min(1).max(2000),
  code: codeField,
});

export const outboxQuery = z.object({ email: emailField });

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, "not base64url");
/** What @simplewebauthn/browser sends back; the library checks the rest (and is never handed a wrong type). */
const credentialFields = {
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional().default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

export const passkeyRegistrationBody = z.object({
  state: z.string().min(1).max(2000),
  response: z.object({
    ...credentialFields,
    response: z.object({
      clientDataJSON: base64url(4000).min(1),
      attestationObject: base64url(10_000).min(1),
      transports: z.array(z.string().max(32)).max(10).optional(),
    }),
  }),
});

export const passkeySignInBody = z.object({
  state: z.string().min(1).max(2000),
  response: z.object({
    ...credentialFields,
    response: z.object({
      clientDataJSON: base64url(4000).min(1),
      authenticatorData: base64url(4000).min(1),
      signature: base64url(2000).min(1),
      userHandle: base64url(200).optional(),
    }),
  }),
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
export type VerifyBody = z.infer<typeof verifyBody>;
export type BandBody = z.infer<typeof bandBody>;
export type ShowBody = z.infer<typeof showBody>;
export type SectorInput = z.infer<typeof sectorInput>;
export type TicketRequestBody = z.infer<typeof ticketRequestBody>;
