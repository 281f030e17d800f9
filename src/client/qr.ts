/**
 * A QR code as DOM-built SVG (`qrcode-generator` encodes; we only draw): crisp on any screen and in
 * print, and no inline markup or data: URL needed under the page's CSP.
 */
import qrcode from "qrcode-generator";
import { svg } from "./dom";

/** Quiet zone in modules, as the QR standard asks. */
const MARGIN = 4;

export function qrSvg(text: string, label: string): SVGSVGElement {
  // Level M: survives a scratched or glare-lit phone screen at the door; the code is short.
  const qr = qrcode(0, "M");
  qr.addData(text, "Byte");
  qr.make();
  const n = qr.getModuleCount();
  const size = n + 2 * MARGIN;
  let d = "";
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (qr.isDark(row, col)) d += `M${col + MARGIN} ${row + MARGIN}h1v1h-1z`;
    }
  }
  return svg(
    "svg",
    {
      class: "qr",
      viewBox: `0 0 ${size} ${size}`,
      role: "img",
      "aria-label": label,
      "shape-rendering": "crispEdges",
    },
    svg("rect", { width: size, height: size, fill: "#fff" }),
    svg("path", { d, fill: "#000" }),
  );
}
