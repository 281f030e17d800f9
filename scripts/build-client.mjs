// Builds the fans' page: the client bundle (src/client → public/app.js) and the self-hosted font.
// Run by `npm run build`, `npm start`, `npm run test:browser` and before `wrangler deploy`.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const outfile = path.join(root, "public/app.js");
const chunks = path.join(root, "public/chunks");
rmSync(chunks, { recursive: true, force: true });

await build({
  entryPoints: { app: path.join(root, "src/client/main.ts") },
  outdir: path.join(root, "public"),
  // Code loaded on demand (the QR encoder, once there is a ticket) goes to public/chunks/.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: "linked",
  // Phones a few years old: Safari 15.4 (iOS 15) and Chrome 100 have every feature we use.
  target: ["es2022", "safari15.4", "chrome100", "firefox100"],
  tsconfig: path.join(root, "tsconfig.client.json"),
  legalComments: "linked",
  logLevel: "warning",
});

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
for (const name of readdirSync(chunks).filter((f) => f.endsWith(".js"))) report(path.join(chunks, name));
