/** Money, dates and places as a Brazilian fan reads them. Shared by the Worker and the client. */
import type { Lang } from "./i18n";

/** Every venue so far is in Brazil; show times are given in Brasília time, as the venue announces them. */
export const VENUE_TIME_ZONE = "America/Sao_Paulo";

const money = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });

/** Cents of BRL as `R$ 150,00`, whatever the page language: it is the currency the fan pays in. */
export function formatMoney(cents: number): string {
  return money.format(cents / 100);
}

/** `sábado, 13 de fevereiro de 2027 · 21:00` / `Saturday, February 13, 2027 · 9:00 PM`. */
export function formatShowDate(iso: string, lang: Lang, timeZone = VENUE_TIME_ZONE): string {
  const at = new Date(iso);
  const day = new Intl.DateTimeFormat(lang, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone,
  }).format(at);
  return `${day} · ${formatTime(iso, lang, timeZone)}`;
}

/** `13 de fev. de 2027` / `Feb 13, 2027`. */
export function formatShortDate(iso: string, lang: Lang, timeZone = VENUE_TIME_ZONE): string {
  return new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric", timeZone }).format(
    new Date(iso),
  );
}

export function formatTime(iso: string | number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone }).format(new Date(iso));
}

/** The calendar block of a show card: `13`, `FEV`, `SÁB`. */
export function calendarParts(iso: string, lang: Lang, timeZone = VENUE_TIME_ZONE) {
  const at = new Date(iso);
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(lang, { ...options, timeZone }).format(at).replace(".", "").toLocaleUpperCase(lang);
  return { day: part({ day: "numeric" }), month: part({ month: "short" }), weekday: part({ weekday: "short" }) };
}

/** `Memorial da América Latina, Av. … - São Paulo, SP` → `São Paulo, SP` (the part after the last dash). */
export function cityOf(address: string): string {
  const dash = address.lastIndexOf(" - ");
  return dash === -1 ? address : address.slice(dash + 3).trim();
}

/**
 * `2027-03-20T21:00` typed as Brasília time → an ISO instant. Brazil has had no daylight saving
 * since 2019, but the offset is read from the time zone rather than assumed.
 */
export function venueTimeToIso(local: string, timeZone = VENUE_TIME_ZONE): string {
  const asUtc = Date.parse(`${local}:00Z`);
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(asUtc));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const zoned = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return new Date(asUtc - (zoned - asUtc)).toISOString();
}

/** `mm:ss` for a countdown; never negative. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
}

/** `1 d 02:03:04`, `02:03:04` or `03:04`: a countdown that may be days long. */
export function formatDrawCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = `${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  if (days > 0) return `${days} d ${pad(hours)}:${clock}`;
  return hours > 0 ? `${pad(hours)}:${clock}` : clock;
}
