// @ts-check
/**
 * Helpers for the node tests of this folder (not bundled): a vault with random keys, as an
 * unlocked app has one.
 */
import { createVault } from './vault.js';

/** @returns {Promise<import('./vault.js').Vault>} */
export async function testVault() {
  const aesKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const macKey = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
  return createVault({ aesKey, macKey });
}
