/**
 * The dashboard's answer (`GET /api/console/shows/:showId/dashboard`), shared by the Worker, which
 * builds it against this type, and the console page, which renders it. No Workers types here.
 */
import type { ShowView } from "../db/views";

export interface ClassRow {
  sector: string;
  meia: boolean;
  available: number;
  held: number;
  booked: number;
  waiting: number;
}

export interface RefundRow {
  id: string;
  amountCents: number;
  approvedAt: string | null;
  user: { id: string; name: string; email: string };
}

export interface DoorLinkView {
  id: string;
  label: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  active: boolean;
}

export interface DashboardView {
  show: ShowView;
  now: string;
  classes: ClassRow[];
  waiting: number;
  booked: number;
  revenueCents: number;
  /** At the last ten minutes' pace; null with no sales in that time. */
  sellOutSeconds: number | null;
  series: {
    bookedPerMinute: { at: string; booked: number }[];
    queue: { at: string; waiting: number }[];
  };
  refunds: RefundRow[];
  checkins: {
    total: number;
    byGate: { gate: string; checkedIn: number; offline: number }[];
    conflicts: {
      ticketId: string;
      holder: string;
      sector: string;
      gate: string;
      scannedAt: string;
      first: { gate: string; checkedInAt: string } | null;
    }[];
  };
  doors: DoorLinkView[];
}
