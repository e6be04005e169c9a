/**
 * RFC 5652 §6.3 padding to the AES block (PKCS#7): always 1..16 bytes, each equal to the
 * count (notes §1.5). ubxlib's unpad reads only the last byte; ours also rejects a count of
 * 0 or over 16 and pad bytes that differ (a decision: both ends here are ours, and a frame
 * that passed its MAC with bad padding is a sender bug worth dropping, not delivering).
 */
export const C2C_BLOCK = 16;

export function pad16(data: Uint8Array): Buffer {
  const n = C2C_BLOCK - (data.length % C2C_BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

/** The data without its padding, or undefined if the padding is not well formed. */
export function unpad16(padded: Buffer): Buffer | undefined {
  if (padded.length === 0 || padded.length % C2C_BLOCK !== 0) return undefined;
  const n = padded[padded.length - 1]!;
  if (n === 0 || n > C2C_BLOCK) return undefined;
  for (let i = padded.length - n; i < padded.length; i++) if (padded[i] !== n) return undefined;
  return padded.subarray(0, padded.length - n);
}
