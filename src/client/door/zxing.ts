/**
 * The QR decoder for browsers without a native `BarcodeDetector` (Chromium on Linux and desktop
 * Firefox, among others): the `barcode-detector` polyfill on ZXing's WebAssembly. Its wasm comes
 * from our own `public/vendor/` (copied by the build), never from the polyfill's default CDN: the
 * door works without internet and our CSP allows no foreign origin.
 */
import { BarcodeDetector, prepareZXingModule } from "barcode-detector/ponyfill";

export const ZXING_WASM_URL = "/vendor/zxing_reader.wasm";

prepareZXingModule({
  overrides: {
    locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? ZXING_WASM_URL : prefix + path),
  },
});

export function polyfillDetector(): { detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]> } {
  return new BarcodeDetector({ formats: ["qr_code"] });
}
