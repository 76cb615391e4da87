/** One HTTP call with fetch: a timeout, a response size limit, and errors sorted into retryable or not. */

export interface CallResult {
  status: number;
  statusText: string;
  url: string;
  headers: Headers;
  body: Buffer;
}

/** The request could not be made or completed (connection refused, reset, timeout): worth a retry. */
export class TransportError extends Error {}
/** The response was larger than allowed. */
export class ResponseTooLargeError extends Error {}

async function readLimited(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new ResponseTooLargeError(`response of ${declared} bytes exceeds maxResponseSize`);
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new ResponseTooLargeError(`response exceeds maxResponseSize (${maxBytes} bytes)`);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  }
  return Buffer.concat(chunks, size);
}

function transportMessage(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : String(e.message ?? err);
}

export async function call(
  url: URL,
  init: { method: string; headers: Headers; body?: Buffer; redirect: 'follow' | 'manual' },
  timeoutMs: number,
  maxBytes: number,
  /** The fetch to use: an HttpClient service's (its pool and TLS settings), or the global one. */
  fetcher: (input: URL, init: RequestInit) => Promise<Response> = fetch,
): Promise<CallResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetcher(url, { ...init, signal });
  } catch (err) {
    throw new TransportError(transportMessage(err));
  }
  try {
    const body = await readLimited(response, maxBytes);
    return {
      status: response.status,
      statusText: response.statusText,
      url: response.url,
      headers: response.headers,
      body,
    };
  } catch (err) {
    if (err instanceof ResponseTooLargeError) {
      await response.body?.cancel().catch(() => {});
      throw err;
    }
    throw new TransportError(`reading the response: ${transportMessage(err)}`);
  }
}
