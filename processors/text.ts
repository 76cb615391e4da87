/** Content as text: the encoding option the text processors share, and checked decoding. */
import { isUtf8 } from 'node:buffer';

export type TextEncoding = 'utf8' | 'latin1';

export const encodingProperty = {
  enum: ['utf8', 'latin1'],
  default: 'utf8',
  description:
    'How content bytes are read as text: utf8 (content that is not valid UTF-8 goes to failure, nothing is mangled) or latin1 (one character per byte, so any bytes pass through unchanged).',
} as const;

/** Thrown when content cannot be read as text in the configured encoding. */
export class NotTextError extends Error {}

/** Decodes content; utf8 refuses invalid bytes rather than replacing them with U+FFFD. */
export function decodeText(content: Buffer, encoding: TextEncoding): string {
  if (encoding === 'utf8' && !isUtf8(content)) throw new NotTextError('content is not valid UTF-8');
  return content.toString(encoding);
}

export function encodeText(text: string, encoding: TextEncoding): Buffer {
  return Buffer.from(text, encoding);
}

/** A thrown value as a one-line message (JSONata throws plain objects with a message). The SDK exports it. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
