/**
 * The phone's camera reading QR codes: the browser's own `BarcodeDetector` where there is one
 * (Android's Chrome), the ZXing polyfill otherwise. A code is reported once when it comes into
 * view, and again only after it has left the view: a ticket held under the camera is one scan,
 * shown again it is a second one.
 */
interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}

interface NativeDetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

const EVERY_MS = 120;
/** Frames without the code before it counts as gone. */
const GONE_AFTER = 4;

async function nativeDetector(): Promise<NativeDetectorClass | undefined> {
  const native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  return native && (await native.getSupportedFormats()).includes("qr_code") ? native : undefined;
}

async function detector(): Promise<Detector> {
  const native = await nativeDetector();
  if (native) return new native({ formats: ["qr_code"] });
  const { polyfillDetector } = await import("./zxing");
  return polyfillDetector();
}

/** Readies the polyfill's decoder ahead of the first scan, where the browser has no native one. */
export async function preloadDecoder(): Promise<void> {
  if (await nativeDetector()) return;
  const { warmUp } = await import("./zxing");
  await warmUp();
}

export class Scanner {
  private stream: MediaStream | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inView: string | undefined;
  private misses = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onCode: (code: string) => Promise<void>,
  ) {}

  get running(): boolean {
    return this.stream !== undefined;
  }

  async start(): Promise<void> {
    const found = await detector();
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } },
      audio: false,
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    const tick = async () => {
      if (!this.stream) return;
      try {
        if (this.video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) await this.look(found);
      } catch {
        // A frame the decoder could not take (the stream just ended or resized): the next one will do.
      } finally {
        if (this.stream) this.timer = setTimeout(tick, EVERY_MS);
      }
    };
    void tick();
  }

  private async look(found: Detector): Promise<void> {
    const code = (await found.detect(this.video))[0]?.rawValue;
    if (!code) {
      if (++this.misses >= GONE_AFTER) this.inView = undefined;
      return;
    }
    this.misses = 0;
    if (code === this.inView) return;
    this.inView = code;
    await this.onCode(code);
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    this.video.srcObject = null;
    this.inView = undefined;
  }
}
