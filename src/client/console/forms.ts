/**
 * The console's forms: a new band, and a new show with its sectors. Both post to the organizers'
 * API (`POST /api/admin/bands`, `POST /api/admin/shows`) with the console's session cookie, so
 * the rules stay in one place: the API's `400` names the field, and the form says it.
 */
import { venueTimeToIso } from "../../page/format";
import type { OrganizerMessages } from "../../page/i18n-organizers";
import { ApiFailure, api } from "../api";
import { h } from "../dom";

function field(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  return el?.value.trim() ?? "";
}

function showError(form: HTMLFormElement, t: OrganizerMessages, err: unknown): void {
  const box = form.querySelector<HTMLElement>("[data-error]");
  if (!box) return;
  // The API's 400 names the field and what is wrong with it: the organizer needs exactly that.
  box.textContent = !(err instanceof ApiFailure)
    ? t.errorGeneric
    : err.code === "NETWORK"
      ? t.errorNetwork
      : err.status < 500
        ? err.message
        : t.errorGeneric;
  box.hidden = false;
}

async function submitting(form: HTMLFormElement, busy: string, work: () => Promise<void>): Promise<void> {
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
  const label = button?.textContent ?? "";
  if (button) {
    button.disabled = true;
    button.textContent = busy;
  }
  try {
    await work();
  } finally {
    if (button) {
      button.disabled = false;
      button.textContent = label;
    }
  }
}

export function mountBandForm(form: HTMLFormElement, t: OrganizerMessages): void {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector<HTMLElement>("[data-error]");
    const done = form.querySelector<HTMLElement>("[data-done]");
    if (error) error.hidden = true;
    await submitting(form, t.creating, async () => {
      try {
        const { band } = await api<{ band: { id: string; name: string } }>("POST", "/api/admin/bands", {
          name: field(form, "name"),
          genre: field(form, "genre"),
          description: field(form, "description"),
        });
        // The new band is ready to be chosen in the show form at once.
        for (const select of document.querySelectorAll<HTMLSelectElement>("[data-bands]")) {
          select.append(h("option", { value: band.id }, band.name));
          select.value = band.id;
        }
        form.reset();
        if (done) {
          done.textContent = t.bandCreated(band.name);
          done.hidden = false;
        }
      } catch (err) {
        showError(form, t, err);
      }
    });
  });
}

function sectorRow(t: OrganizerMessages, n: number, onRemove: (row: HTMLElement) => void): HTMLElement {
  const input = (name: string, label: string, attrs: Record<string, string>) =>
    h(
      "label",
      { class: "field" },
      h("span", { class: "field__label" }, label),
      h("input", { class: "field__input", name, required: true, ...attrs }),
    );
  const remove = h("button", { class: "btn btn--ghost btn--small", type: "button" }, t.removeSector(n));
  const row = h(
    "fieldset",
    { class: "sector-row", "data-sector": "" },
    h("legend", { class: "sector-row__legend" }, t.sectorNumber(n)),
    input("sectorName", t.sectorName, { maxlength: "100" }),
    input("capacity", t.capacity, { type: "number", min: "1", max: "100000", step: "1", value: "100" }),
    input("price", t.priceReais, { type: "number", min: "0", step: "0.01", value: "150", inputmode: "decimal" }),
    input("meiaPercent", t.meiaPercent, { type: "number", min: "0", max: "100", step: "1", value: "40" }),
    remove,
  );
  remove.addEventListener("click", () => onRemove(row));
  return row;
}

export function mountShowForm(form: HTMLFormElement, t: OrganizerMessages): void {
  const rows = form.querySelector<HTMLElement>("[data-sector-rows]");
  const add = form.querySelector<HTMLButtonElement>("[data-add-sector]");
  if (!rows || !add) return;
  const renumber = () => {
    const all = [...rows.querySelectorAll<HTMLElement>("[data-sector]")];
    all.forEach((row, i) => {
      const legend = row.querySelector("legend");
      if (legend) legend.textContent = t.sectorNumber(i + 1);
      const button = row.querySelector<HTMLButtonElement>("button");
      if (button) {
        button.textContent = t.removeSector(i + 1);
        button.hidden = all.length === 1;
      }
    });
  };
  const addRow = () => {
    rows.append(
      sectorRow(t, rows.children.length + 1, (row) => {
        row.remove();
        renumber();
      }),
    );
    renumber();
  };
  addRow();
  add.addEventListener("click", addRow);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector<HTMLElement>("[data-error]");
    if (error) error.hidden = true;
    const sectors = [...rows.querySelectorAll<HTMLElement>("[data-sector]")].map((row) => {
      const value = (name: string) => (row.querySelector<HTMLInputElement>(`[name=${name}]`)?.value ?? "").trim();
      return {
        name: value("sectorName"),
        capacity: Number(value("capacity")),
        priceCents: Math.round(Number(value("price")) * 100),
        meiaShare: Number(value("meiaPercent")) / 100,
      };
    });
    const salesOpenAt = field(form, "salesOpenAt");
    const prequeueOpensAt = field(form, "prequeueOpensAt");
    const festival = field(form, "festival");
    await submitting(form, t.creating, async () => {
      try {
        const { show } = await api<{ show: { id: string } }>("POST", "/api/admin/shows", {
          bandId: field(form, "bandId"),
          ...(festival && { festival }),
          address: field(form, "address"),
          startsAt: venueTimeToIso(field(form, "startsAt")),
          ...(salesOpenAt && { salesOpenAt: venueTimeToIso(salesOpenAt) }),
          ...(prequeueOpensAt && { prequeueOpensAt: venueTimeToIso(prequeueOpensAt) }),
          holdSeconds: Math.round(Number(field(form, "holdMinutes")) * 60),
          maxTicketsPerUser: Number(field(form, "maxTicketsPerUser")),
          lanes: Number(field(form, "lanes")),
          sectors,
        });
        location.assign(`/organizador/shows/${encodeURIComponent(show.id)}`);
      } catch (err) {
        showError(form, t, err);
      }
    });
  });
}
