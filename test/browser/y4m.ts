/**
 * A video of a ticket's QR code for Chromium's fake camera (`--use-file-for-fake-video-capture`):
 * Y4M, 4:2:0, the code's module matrix from `qrcode-generator` drawn large with its quiet zone,
 * a few frames of the code then a few of an empty view, looped by Chromium. So the door sees the
 * ticket come into view, leave, and come back: two scans of one code.
 */
import { writeFileSync } from "node:fs";
import qrcode from "qrcode-generator";

export interface Y4mOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** Seconds the code is in view, then out of view, in each loop. */
  showSeconds?: number;
  hideSeconds?: number;
}

export function writeQrVideo(file: string, text: string, opts: Y4mOptions = {}): void {
  const { width = 480, height = 360, fps = 5, showSeconds = 2, hideSeconds = 2 } = opts;
  const qr = qrcode(0, "M");
  qr.addData(text, "Byte");
  qr.make();
  const modules = qr.getModuleCount();
  const quiet = 4;
  const scale = Math.floor((Math.min(width, height) - 16) / (modules + 2 * quiet));
  if (scale < 3) throw new Error(`a ${modules}-module code does not fit ${width}x${height} legibly`);
  const side = (modules + 2 * quiet) * scale;
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);

  // Luma: a mid-grey room, the white code with its quiet zone, black modules.
  const withCode = Buffer.alloc(width * height, 120);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const row = Math.floor(y / scale) - quiet;
      const col = Math.floor(x / scale) - quiet;
      const dark = row >= 0 && col >= 0 && row < modules && col < modules && qr.isDark(row, col);
      withCode[(top + y) * width + left + x] = dark ? 16 : 235;
    }
  }
  const empty = Buffer.alloc(width * height, 120);
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = (luma: Buffer) => Buffer.concat([Buffer.from("FRAME\n"), luma, chroma]);
  const frames = [
    ...Array.from({ length: showSeconds * fps }, () => frame(withCode)),
    ...Array.from({ length: hideSeconds * fps }, () => frame(empty)),
  ];
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...frames]));
}
