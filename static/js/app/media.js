// @ts-check
/**
 * The phone's sensors: a geotag from the GPS and a dwelling photo from the camera, compressed on
 * the phone before it is stored (at most 1600 px on the long side, about 300 KB, as JPEG; the
 * re-encoding drops the camera's EXIF, GPS included).
 */

export const PHOTO_MAX_SIDE = 1600;
export const PHOTO_TARGET_BYTES = 300 * 1024;

/**
 * ISO 8601 with the phone's offset, e.g. 2022-10-18T09:30:00+07:00 (what the server expects).
 * @param {Date} date
 * @returns {string}
 */
export function isoWithOffset(date) {
  const pad = (/** @type {number} */ n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/**
 * @typedef {object} Fix
 * @property {number} lat
 * @property {number} lon
 * @property {number} accuracy_m
 * @property {string} captured_at
 * @property {string} provider
 */

/**
 * One GPS fix (high accuracy, no cached position).
 * @param {Geolocation | undefined} geolocation
 * @param {{timeoutMs?: number}} [options]
 * @returns {Promise<Fix>}  rejects with an Error whose `code` is unsupported, denied, unavailable or timeout
 */
export function currentFix(geolocation, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!geolocation) {
      reject(Object.assign(new Error('unsupported'), { code: 'unsupported' }));
      return;
    }
    geolocation.getCurrentPosition(
      (position) =>
        resolve({
          lat: Number(position.coords.latitude.toFixed(7)),
          lon: Number(position.coords.longitude.toFixed(7)),
          accuracy_m: Math.round(position.coords.accuracy * 10) / 10,
          captured_at: isoWithOffset(new Date(position.timestamp || Date.now())),
          provider: 'gps',
        }),
      (error) => {
        const code = error.code === 1 ? 'denied' : error.code === 3 ? 'timeout' : 'unavailable';
        reject(Object.assign(new Error(code), { code }));
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    );
  });
}

/**
 * @param {number} width
 * @param {number} height
 * @returns {{canvas: HTMLCanvasElement | OffscreenCanvas, context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D}}
 */
function makeCanvas(width, height) {
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const context = /** @type {CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null} */ (canvas.getContext('2d'));
  if (!context) throw new Error('canvas_unavailable');
  return { canvas, context };
}

/**
 * @param {HTMLCanvasElement | OffscreenCanvas} canvas
 * @param {number} quality
 * @returns {Promise<Blob>}
 */
function encodeJpeg(canvas, quality) {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encode_failed'))), 'image/jpeg', quality);
  });
}

/**
 * The camera's picture, upright, at most `maxSide` px, re-encoded as JPEG at the best quality
 * that fits `targetBytes` (smaller sizes are tried when even low quality does not fit).
 * @param {Blob} file
 * @param {{maxSide?: number, targetBytes?: number}} [options]
 * @returns {Promise<{blob: Blob, width: number, height: number}>}
 */
export async function compressPhoto(file, { maxSide = PHOTO_MAX_SIDE, targetBytes = PHOTO_TARGET_BYTES } = {}) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    let scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    /** @type {{blob: Blob, width: number, height: number} | null} */
    let last = null;
    for (let round = 0; round < 5; round += 1) {
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const { canvas, context } = makeCanvas(width, height);
      context.drawImage(bitmap, 0, 0, width, height);
      for (const quality of [0.85, 0.75, 0.65, 0.55]) {
        const blob = await encodeJpeg(canvas, quality);
        last = { blob, width, height };
        if (blob.size <= targetBytes) return last;
      }
      scale *= 0.8;
    }
    if (!last) throw new Error('encode_failed');
    return last;
  } finally {
    bitmap.close();
  }
}
