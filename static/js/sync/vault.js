// @ts-check
/**
 * Encryption at rest of the personal parts of the phone's records (docs/privacy.md, "On the
 * phone"): AES-GCM with a random 96-bit IV per value, through WebCrypto. A vault holds two
 * non-extractable keys made from the data key (keyring.js): one encrypts, one makes a keyed hash
 * (HMAC-SHA-256) of a record's canonical JSON.
 *
 * The keyed hash (`mac`) is what lets the sync logic compare records inside an IndexedDB
 * transaction without decrypting them (the rebase rule compares the server's copy with every copy
 * the phone sent): WebCrypto is asynchronous and not IndexedDB, so it may never be awaited inside
 * a transaction (a Dexie transaction would commit under it). Hence the rule of this folder:
 * plaintext is sealed before a transaction starts and opened after it ended; inside a transaction
 * sealed values are only moved and compared.
 */

/**
 * A sealed value as stored: the IV and the ciphertext (with GCM's tag). `mac` only on records.
 * @typedef {object} Sealed
 * @property {1} v
 * @property {Uint8Array<ArrayBuffer>} iv
 * @property {ArrayBuffer} data
 * @property {string} [mac]   hex HMAC-SHA-256 of the record's canonical JSON: equal content, equal mac
 */

/**
 * @typedef {object} VaultKeys  What a vault is made of (handed to the service worker while unlocked).
 * @property {CryptoKey} aesKey   AES-GCM, 256 bits, non-extractable
 * @property {CryptoKey} macKey   HMAC SHA-256, non-extractable
 */

/**
 * @typedef {object} Vault
 * @property {VaultKeys} keys
 * @property {(record: unknown) => Promise<Sealed>} sealRecord   JSON with its keyed hash
 * @property {(value: unknown) => Promise<Sealed>} seal           any JSON value
 * @property {(bytes: Blob | ArrayBuffer | Uint8Array<ArrayBuffer>) => Promise<Sealed>} sealBytes
 * @property {(sealed: Sealed) => Promise<any>} open              the JSON value
 * @property {(sealed: Sealed) => Promise<ArrayBuffer>} openBytes
 * @property {(value: unknown) => Promise<string>} mac            the keyed hash of a JSON value
 */

/**
 * JSON with sorted object keys, for comparing records.
 * @param {unknown} value
 * @returns {string}
 */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = /** @type {Record<string, unknown>} */ (value);
    const keys = Object.keys(object)
      .filter((k) => object[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * @param {unknown} value
 * @returns {value is Sealed}
 */
export function isSealed(value) {
  if (value === null || typeof value !== 'object') return false;
  const v = /** @type {Record<string, unknown>} */ (value);
  return v.v === 1 && v.iv instanceof Uint8Array && v.data instanceof ArrayBuffer;
}

/**
 * Whether two sealed records hold the same content (by their keyed hashes).
 * @param {Sealed | null | undefined} a
 * @param {Sealed | null | undefined} b
 * @returns {boolean}
 */
export function sameContent(a, b) {
  return Boolean(a && b && typeof a.mac === 'string' && a.mac === b.mac);
}

/**
 * @param {ArrayBuffer} buffer
 * @returns {string}
 */
function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @param {VaultKeys} keys
 * @param {{subtle?: SubtleCrypto, getRandomValues?: (array: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>}} [deps]
 * @returns {Vault}
 */
export function createVault(keys, deps = {}) {
  const subtle = deps.subtle ?? globalThis.crypto.subtle;
  const random = deps.getRandomValues ?? ((/** @type {Uint8Array<ArrayBuffer>} */ a) => globalThis.crypto.getRandomValues(a));

  /**
   * @param {BufferSource} bytes
   * @returns {Promise<Sealed>}
   */
  async function encrypt(bytes) {
    const iv = random(new Uint8Array(12));
    const data = await subtle.encrypt({ name: 'AES-GCM', iv }, keys.aesKey, bytes);
    return { v: 1, iv, data };
  }

  /**
   * @param {Sealed} sealed
   * @returns {Promise<ArrayBuffer>}
   */
  async function decrypt(sealed) {
    if (!isSealed(sealed)) throw new TypeError('not a sealed value');
    return subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, keys.aesKey, sealed.data);
  }

  /** @type {Vault['mac']} */
  async function mac(value) {
    return hex(await subtle.sign('HMAC', keys.macKey, encoder.encode(canonicalJson(value))));
  }

  return {
    keys,
    async sealRecord(record) {
      const text = JSON.stringify(record);
      const [sealed, digest] = await Promise.all([encrypt(encoder.encode(text)), mac(record)]);
      return { ...sealed, mac: digest };
    },
    async seal(value) {
      return encrypt(encoder.encode(JSON.stringify(value)));
    },
    async sealBytes(bytes) {
      const buffer = bytes instanceof Blob ? await bytes.arrayBuffer() : bytes;
      return encrypt(buffer);
    },
    async open(sealed) {
      return JSON.parse(decoder.decode(await decrypt(sealed)));
    },
    openBytes: decrypt,
    mac,
  };
}

/**
 * Opens a sealed value, or gives back null/undefined as they are (optional fields).
 * @param {Vault} vault
 * @param {Sealed | null | undefined} sealed
 * @returns {Promise<any>}
 */
export async function openOptional(vault, sealed) {
  return sealed === null || sealed === undefined ? sealed : vault.open(sealed);
}

/**
 * Seals a value, keeping null/undefined as they are.
 * @param {Vault} vault
 * @param {unknown} value
 * @returns {Promise<Sealed | null>}
 */
export async function sealOptional(vault, value) {
  return value === null || value === undefined ? null : vault.seal(value);
}
