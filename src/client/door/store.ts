/**
 * What the gate phone keeps in IndexedDB, so that a reload with no network still works: the last
 * ticket list it downloaded, and every check-in it made, the offline ones until they are synced.
 */
import type { DoorManifest } from "../../door/manifest";
import type { LocalScan } from "./decide";

const DB_NAME = "catraca-door";
const MANIFEST = "manifest";
const SCANS = "scans";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class DoorStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<DoorStore> {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(MANIFEST);
      req.result.createObjectStore(SCANS, { keyPath: "scanId" });
    };
    return new DoorStore(await request(req));
  }

  private store(name: string, mode: IDBTransactionMode) {
    return this.db.transaction(name, mode).objectStore(name);
  }

  /** The list of the show this phone's door link is for (one show per phone). */
  manifest(): Promise<DoorManifest | undefined> {
    return request(this.store(MANIFEST, "readonly").get("current"));
  }

  async saveManifest(manifest: DoorManifest): Promise<void> {
    const old = await this.manifest();
    // Another show's door link on this phone now: that show's check-ins are no concern of this one.
    if (old && old.show.id !== manifest.show.id) await request(this.store(SCANS, "readwrite").clear());
    await request(this.store(MANIFEST, "readwrite").put(manifest, "current"));
  }

  scans(): Promise<LocalScan[]> {
    return request(this.store(SCANS, "readonly").getAll());
  }

  async saveScan(scan: LocalScan): Promise<void> {
    await request(this.store(SCANS, "readwrite").put(scan));
  }
}
