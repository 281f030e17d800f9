/** A few line icons as DOM-built SVG (no emoji: phones and printers render those unevenly). */
import { svg } from "./dom";

const PATHS = {
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  clock: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M12 7.5V12l3 2"],
  alert: ["M12 3.5L22 20.5H2z", "M12 10v4.5", "M12 17.5v.5"],
  ticket: ["M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4z", "M14 7v10"],
  hourglass: ["M6.5 3h11", "M6.5 21h11", "M7.5 3c0 5 9 5 9 9s-9 4-9 9", "M16.5 3c0 5-9 5-9 9s9 4 9 9"],
  close: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M9 9l6 6", "M15 9l-6 6"],
  users: [
    "M9 11a3.5 3.5 0 1 0 0-7a3.5 3.5 0 1 0 0 7z",
    "M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6",
    "M16 4.3a3.5 3.5 0 0 1 0 6.4",
    "M18 14.3c2.1.7 3.5 2.8 3.5 5.7",
  ],
  print: ["M6 9V3h12v6", "M6 18H4v-7h16v7h-2", "M6 14h12v7H6z"],
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, className = "icon"): SVGSVGElement {
  return svg(
    "svg",
    {
      class: className,
      viewBox: "0 0 24 24",
      fill: "none",
      stroke: "currentColor",
      "stroke-width": "2",
      "stroke-linecap": "round",
      "stroke-linejoin": "round",
      "aria-hidden": "true",
      focusable: "false",
    },
    PATHS[name].map((d) => svg("path", { d })),
  );
}
