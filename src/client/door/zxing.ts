/**
 * The QR decoder for browsers without a native `BarcodeDetector` (Chromium on Linux and desktop
 * Firefox, among others): the `barcode-detector` polyfill on ZXing's WebAssembly. Its wasm comes
 * from our own `public/vendor/` (copied by the build), never from the polyfill's default CDN: the
 * door works without internet and our CSP allows no foreign origin.
 */
import { BarcodeDetector, prepareZXingModule } from "barcode-detector/ponyfill";

export const ZXING_WASM_URL = "/vendor/zxing_reader.wasm";

const overrides = {
  locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? ZXING_WASM_URL : prefix + path),
};

prepareZXingModule({ overrides });

/** Compile the wasm now, so the first ticket at the gate is not the one that waits for it. */
export async function warmUp(): Promise<void> {
  await prepareZXingModule({ overrides, fireImmediately: true });
}

export function polyfillDetector(): { detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]> } {
  return new BarcodeDetector({ formats: ["qr_code"] });
}
