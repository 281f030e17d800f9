// Builds the pages' client bundles: the fans' (src/client → public/app.js), the organizers' console
// (public/console.js, with uPlot) and the door (public/door.js, with the QR decoder), the decoder's
// wasm and uPlot's stylesheet into public/vendor/, and the self-hosted font.
// Run by `npm run build`, `npm start`, `npm run test:browser` and before `wrangler deploy`.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const outfile = path.join(root, "public/app.js");
const chunks = path.join(root, "public/chunks");
rmSync(chunks, { recursive: true, force: true });

const common = {
  outdir: path.join(root, "public"),
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: "linked",
  // Phones a few years old: Safari 15.4 (iOS 15) and Chrome 100 have every feature we use.
  target: ["es2022", "safari15.4", "chrome100", "firefox100"],
  tsconfig: path.join(root, "tsconfig.client.json"),
  legalComments: "linked",
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: { app: path.join(root, "src/client/main.ts") },
  // Code loaded on demand (the QR encoder, once there is a ticket) goes to public/chunks/.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
});
// One file each, no chunks: the door's service worker caches a fixed list of files, and the
// console is a page for a few organizers.
await build({
  ...common,
  entryPoints: {
    console: path.join(root, "src/client/console/main.ts"),
    door: path.join(root, "src/client/door/main.ts"),
  },
});

const vendor = path.join(root, "public/vendor");
mkdirSync(vendor, { recursive: true });
copyFileSync(
  path.join(root, "node_modules/zxing-wasm/dist/reader/zxing_reader.wasm"),
  path.join(vendor, "zxing_reader.wasm"),
);
copyFileSync(path.join(root, "node_modules/uplot/dist/uPlot.min.css"), path.join(vendor, "uPlot.min.css"));

// Inter (OFL), Latin subset: Portuguese's accents included, 48 KB, cached by the browser.
const fontDir = path.join(root, "public/fonts");
mkdirSync(fontDir, { recursive: true });
const fontSource = path.join(root, "node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2");
copyFileSync(fontSource, path.join(fontDir, "inter-latin-wght-normal.woff2"));
copyFileSync(
  path.join(root, "node_modules/@fontsource-variable/inter/LICENSE"),
  path.join(fontDir, "LICENSE-inter.txt"),
);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const report = (file) => {
  const bytes = readFileSync(file);
  console.log(`${path.relative(root, file)}: ${kb(bytes.length)} minified, ${kb(gzipSync(bytes).length)} gzipped`);
};
report(outfile);
report(path.join(root, "public/console.js"));
report(path.join(root, "public/door.js"));
for (const name of readdirSync(chunks).filter((f) => f.endsWith(".js"))) report(path.join(chunks, name));
