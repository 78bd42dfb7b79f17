/**
 * Standard base64 (RFC 4648 section 4, with padding), as Go's encoding/json reads and
 * writes []byte: Secret data travels this way. Pure TypeScript, no Buffer.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The base64 text of the UTF-8 bytes of `text`. */
export function base64FromUtf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += ALPHABET[a >> 2]!;
    out += ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? "=" : ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? "=" : ALPHABET[c & 63]!;
  }
  return out;
}

/**
 * Where `text` stops being valid standard base64, as Go's "illegal base64 data at input
 * byte N"; undefined when it is valid.
 */
export function base64ErrorOffset(text: string): number | undefined {
  let i = 0;
  while (i < text.length && ALPHABET.includes(text[i]!)) i++;
  const dataEnd = i;
  let pads = 0;
  while (i < text.length && text[i] === "=" && pads < 2) {
    i++;
    pads++;
  }
  if (i < text.length) return i;
  if (text.length % 4 !== 0) return pads > 0 ? dataEnd : text.length - (text.length % 4);
  if (pads > 0 && (dataEnd + pads) % 4 !== 0) return dataEnd;
  return undefined;
}
