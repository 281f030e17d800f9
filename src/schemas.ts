/** Request bodies at the edge. Route handlers get their types from these schemas (`z.infer`). */
import { z } from "zod";
import { OPENING } from "./errors";
import { MAX_LANES } from "./lanes/key";
import { LANGS } from "./page/i18n";

const text = (max: number) => z.string().trim().min(1).max(max);
const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const id = z.string().min(1).max(100);

/** Trimmed and lowercased before it is checked: `" Ana@Example.com "` is `ana@example.com`. */
export const emailField = z.string().trim().toLowerCase().pipe(z.email().max(254));

// --- names (#17) ----------------------------------------------------------------------------------

/** An unpaired UTF-16 surrogate: no character at all, and D1 stores it as U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u;
/**
 * Control characters (Cc: tabs and line breaks included) and format characters (Cf: zero-width
 * spaces and joiners, bidirectional overrides, the byte-order mark, the soft hyphen): invisible,
 * so two names that read the same could differ by one.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/** The one spelling of a name: NFC, trimmed, every run of whitespace one space. */
export function normalizeName(s: string): string {
  return s.normalize("NFC").trim().replace(/\s+/gu, " ");
}

/** Two names are the same name when their keys are equal: normalized, then case-folded. */
export function nameKey(s: string): string {
  // Upper then lower folds what lowercasing alone misses ("Straße" and "STRASSE").
  return normalizeName(s).toUpperCase().toLowerCase();
}

const visibleText = z
  .string()
  .refine((s) => !LONE_SURROGATE.test(s), "must be valid Unicode (it holds a lone surrogate)")
  .refine((s) => !INVISIBLE.test(s), "must not hold control or invisible (zero-width, format) characters");

/** A name people read (band, sector, festival), in its one spelling. */
const name = (max: number) =>
  visibleText.transform(normalizeName).pipe(z.string().min(1, "must not be empty").max(max));

/** Prose (a band's description): line breaks allowed, the rest as for names. */
const prose = (max: number) =>
  z
    .string()
    .refine((s) => !LONE_SURROGATE.test(s), "must be valid Unicode (it holds a lone surrogate)")
    .refine((s) => !/[\p{Cf}]|(?![\t\n\r])\p{Cc}/u.test(s), "must not hold control or invisible characters")
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().max(max));

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
  name: name(200),
  genre: name(100),
  description: prose(5000).optional().default(""),
});

export const sectorInput = z.object({
  name: name(100),
  capacity: z.int().min(1).max(100_000),
  priceCents: z.int().min(0).max(100_000_000),
  meiaShare: z.number().min(0).max(1).optional().default(0.4),
});

export const showBody = z
  .object({
    bandId: id,
    /** Blank means no festival (a form's empty field). */
    festival: visibleText
      .transform(normalizeName)
      .pipe(z.string().max(200))
      .transform((s) => s || undefined)
      .optional(),
    address: name(500),
    startsAt: isoTime,
    salesOpenAt: isoTime.optional(),
    /** The fair opening (#14): a pre-queue from here, drawn at `salesOpenAt`. */
    prequeueOpensAt: isoTime.optional(),
    holdSeconds: z.int().min(1).max(3600).optional().default(600),
    maxTicketsPerUser: z.int().min(1).max(20).optional().default(4),
    /** Waiting-room lanes (src/lanes/): how many objects take the show's waiting fans. */
    lanes: z.int().min(1).max(MAX_LANES).optional().default(1),
    sectors: z
      .array(sectorInput)
      .min(1)
      .max(50)
      .superRefine((list, ctx) => {
        const seen = new Map<string, string>();
        for (const [i, s] of list.entries()) {
          const first = seen.get(nameKey(s.name));
          if (first !== undefined) {
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `"${s.name}" is the same name as "${first}" (sector names are unique, ignoring case)`,
            });
          }
          seen.set(nameKey(s.name), s.name);
        }
      }),
  })
  .superRefine((show, ctx) => {
    // Checked when the request arrives: a show is created for a future date.
    if (show.startsAt <= Date.now()) {
      ctx.addIssue({ code: "custom", path: ["startsAt"], message: "must be in the future" });
    }
    if (show.salesOpenAt !== undefined && show.salesOpenAt > show.startsAt) {
      ctx.addIssue({ code: "custom", path: ["salesOpenAt"], message: "must not be after startsAt" });
    }
    if (show.prequeueOpensAt !== undefined) {
      if (show.salesOpenAt === undefined) {
        ctx.addIssue({ code: "custom", path: ["prequeueOpensAt"], message: OPENING.prequeueNeedsSales });
      } else if (show.prequeueOpensAt >= show.salesOpenAt) {
        ctx.addIssue({ code: "custom", path: ["prequeueOpensAt"], message: OPENING.prequeueAfterSales });
      }
    }
  });

export const ticketRequestBody = z.object({
  /** Matched against the show's sector names in their one spelling (`normalizeName`). */
  sector: name(100),
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

/** `GET /api/shows` (and the home page): a page of the catalogue. */
export const catalogueQuery = z.object({
  cursor: z.string().min(1).max(500).optional(),
  past: z.enum(["0", "1"], "expected 1 (include past shows) or 0").optional(),
});

export type SessionBody = z.infer<typeof sessionBody>;
export type VerifyBody = z.infer<typeof verifyBody>;
export type BandBody = z.infer<typeof bandBody>;
export type ShowBody = z.infer<typeof showBody>;
export type SectorInput = z.infer<typeof sectorInput>;
export type TicketRequestBody = z.infer<typeof ticketRequestBody>;
export type CatalogueQuery = z.infer<typeof catalogueQuery>;
