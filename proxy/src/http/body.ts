// Reads a request body whole — only for the statement POST, whose SQL the gateway must see and
// may resend to another cluster when the first cannot be reached.
import type { IncomingMessage } from 'node:http';
import { GatewayError, IncompleteRequestBodyError, PayloadTooLargeError } from './errors.js';

export const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_STATEMENT_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new PayloadTooLargeError(limit);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    // A client that aborts or sends a broken chunk is the client's doing, not an internal error.
    if (error instanceof GatewayError) throw error;
    throw new IncompleteRequestBodyError();
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}
