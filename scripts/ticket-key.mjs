// `npm run ticket-key`: a fresh Ed25519 key for signing ticket codes (TICKET_SIGNING_KEY), as
// PKCS#8 DER in base64url. Put it in .dev.vars, or `wrangler secret put TICKET_SIGNING_KEY` and
// paste it. Rotating it voids the C2 codes already issued: do it only before a sale.
import { generateKeyPairSync } from "node:crypto";

const { privateKey } = generateKeyPairSync("ed25519");
console.log(`TICKET_SIGNING_KEY=${privateKey.export({ type: "pkcs8", format: "der" }).toString("base64url")}`);
