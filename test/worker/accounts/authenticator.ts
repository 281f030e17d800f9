/**
 * A software passkey for the workerd tests: an ES256 key in WebCrypto answering WebAuthn's
 * registration and sign-in the way a platform authenticator does (attestation "none", user present
 * and verified, a discoverable credential carrying the user handle), in the JSON shapes
 * @simplewebauthn/browser sends. Each answer can be bent (origin, RP ID, signature) to test refusals.
 */
import { isoCBOR } from "@simplewebauthn/server/helpers";
import { fromBase64url, toBase64url } from "../../../src/accounts/bytes";

const enc = new TextEncoder();
const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** WebCrypto signs ECDSA as r‖s; WebAuthn wants ASN.1 DER. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v = bytes.slice(i);
    if ((v[0] ?? 0) & 0x80) v = concat(new Uint8Array([0]), v);
    return concat(new Uint8Array([0x02, v.length]), v);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

export interface Bend {
  origin?: string;
  rpId?: string;
  /** Flip a bit of the signature. */
  badSignature?: boolean;
}

export class SoftAuthenticator {
  readonly credentialId = toBase64url(crypto.getRandomValues(new Uint8Array(32)));
  private counter = 0;
  private userHandle: string | undefined;

  private constructor(
    private readonly keys: CryptoKeyPair,
    readonly origin: string,
    /** Synced passkeys keep their signature counter at 0; security keys count up. */
    private readonly counts: boolean,
  ) {}

  static async create(opts: { origin?: string; counts?: boolean } = {}): Promise<SoftAuthenticator> {
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    return new SoftAuthenticator(keys, opts.origin ?? "http://catraca.test", opts.counts ?? true);
  }

  private async authData(rpId: string, flags: number, attested?: Uint8Array): Promise<Uint8Array> {
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, this.counter);
    return concat(await sha256(enc.encode(rpId)), new Uint8Array([flags]), count, attested ?? new Uint8Array());
  }

  private clientData(type: string, challenge: string, origin: string): Uint8Array {
    return enc.encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** `navigator.credentials.create()` for the server's registration options. */
  // biome-ignore lint/suspicious/noExplicitAny: the options JSON is read field by field
  async register(options: any, bend: Bend = {}) {
    this.userHandle = options.user.id;
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", this.keys.publicKey)) as ArrayBuffer);
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, raw.slice(1, 33)],
      [-3, raw.slice(33, 65)],
    ]);
    const id = fromBase64url(this.credentialId) ?? new Uint8Array();
    const length = new Uint8Array([id.length >> 8, id.length & 0xff]);
    const attested = concat(new Uint8Array(16), length, id, isoCBOR.encode(cose));
    // User present, user verified, attested credential data.
    const authData = await this.authData(bend.rpId ?? options.rp.id, 0x45, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, never>>([
        ["fmt", "none"],
        ["attStmt", new Map<string, never>()],
        ["authData", authData],
      ]),
    );
    return this.credential({
      clientDataJSON: toBase64url(this.clientData("webauthn.create", options.challenge, bend.origin ?? this.origin)),
      attestationObject: toBase64url(attestationObject),
      transports: ["internal"],
    });
  }

  /** `navigator.credentials.get()` for the server's sign-in options. */
  // biome-ignore lint/suspicious/noExplicitAny: the options JSON is read field by field
  async signIn(options: any, bend: Bend = {}) {
    if (!this.userHandle) throw new Error("register this passkey first");
    if (this.counts) this.counter += 1;
    const authData = await this.authData(bend.rpId ?? options.rpId, 0x05);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, bend.origin ?? this.origin);
    const signed = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, signed),
    );
    const signature = derSignature(raw);
    if (bend.badSignature) signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 1;
    return this.credential({
      clientDataJSON: toBase64url(clientDataJSON),
      authenticatorData: toBase64url(authData),
      signature: toBase64url(signature),
      userHandle: this.userHandle,
    });
  }

  /** The credential as the browser serializes it (`PublicKeyCredential.toJSON()`), around `response`. */
  private credential<Response>(response: Response) {
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: "public-key",
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
      response,
    };
  }
}
