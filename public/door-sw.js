// The door page's service worker: keeps /portaria, its script, styles, font and the QR decoder's
// wasm available when a gate loses the network. Network first (a gate online always gets the
// newest page), the cache when the network fails. The API is never cached: the page keeps the
// ticket list and its check-ins in IndexedDB itself.
const CACHE = "catraca-door-v1";
const SHELL = [
  "/portaria",
  "/door.js",
  "/styles.css",
  "/favicon.svg",
  "/fonts/inter-latin-wght-normal.woff2",
  "/vendor/zxing_reader.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  // The door page under any query or fragment is the one page.
  const key = url.pathname === "/portaria" ? "/portaria" : event.request;
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
        }
        return res;
      })
      .catch(() => caches.match(key).then((hit) => hit ?? Response.error())),
  );
});
