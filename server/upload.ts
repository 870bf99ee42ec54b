/**
 * Receives a push body (protocol reference §2.1): multipart/form-data (the first file part is the
 * package; later parts are ignored) or a raw nupkg body, chunked or with Content-Length. The bytes
 * are streamed to a temp file while hashing (SHA-512) and counting; nothing is buffered whole.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { HttpError } from './errors.ts';

export interface ReceivedUpload {
  /** temp file holding the package bytes */
  path: string;
  /** bytes received */
  size: number;
  /** base64 SHA-512 of the bytes */
  sha512: string;
}

const RAW_TYPES = new Set(['application/octet-stream', 'application/zip', 'application/x-zip-compressed', 'application/x-zip']);

/** Counts and hashes bytes flowing through; fails with 413 past `max`. */
class MeasureStream extends Transform {
  size = 0;
  readonly hash = createHash('sha512');
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.max) {
      cb(tooLarge(this.max));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, `The package is larger than the limit of ${Math.round(max / 1024 / 1024)} MB (GALLEON_MAX_PACKAGE_MB).`, {
    Connection: 'close',
  });
}

/**
 * Streams the request body of a push into `tempPath`.
 *
 * @throws HttpError 413 over `maxBytes` (declared Content-Length or counted), 415 for a content type
 *         that is neither multipart nor a raw package type, 400 for an empty body or a multipart body
 *         without a file part; the temp file is removed on any failure
 */
export async function receiveUpload(
  req: Readable,
  headers: IncomingHttpHeaders,
  tempPath: string,
  maxBytes: number,
): Promise<ReceivedUpload> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw tooLarge(maxBytes);
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  const mediaType = contentType.split(';')[0].trim();
  try {
    let result: { size: number; sha512: string };
    if (mediaType === 'multipart/form-data') result = await receiveMultipart(req, headers, tempPath, maxBytes);
    else if (mediaType === '' || RAW_TYPES.has(mediaType)) result = await receiveRaw(req, tempPath, maxBytes);
    else
      throw new HttpError(
        415,
        `Unsupported Content-Type "${mediaType}": send the package as multipart/form-data (what dotnet nuget push does) or as application/octet-stream.`,
      );
    if (result.size === 0) throw new HttpError(400, 'The request body is empty: no package was sent.');
    return { path: tempPath, ...result };
  } catch (err) {
    await rm(tempPath, { force: true });
    if (req.readable) req.resume();
    if (err instanceof HttpError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS' || code === 'EMFILE') throw err;
    throw new HttpError(400, 'The upload failed before it finished (the client closed the connection or sent a broken body).');
  }
}

/**
 * Resolves once `out` has closed its descriptor. A write stream destroyed before its `open` finished
 * still opens (creating the file) and then closes: removing the temp file before that would leave it
 * behind, and a stream never destroyed would keep a removed file's disk space allocated.
 */
function closedStream(out: WriteStream): Promise<void> {
  if (out.closed) return Promise.resolve();
  return new Promise((resolve) => {
    out.once('close', () => resolve());
    out.destroy();
  });
}

async function receiveRaw(req: Readable, tempPath: string, maxBytes: number) {
  const measure = new MeasureStream(maxBytes);
  const out = createWriteStream(tempPath);
  try {
    await pipeline(req, measure, out);
  } catch (err) {
    await closedStream(out);
    throw err;
  }
  return { size: measure.size, sha512: measure.hash.digest('base64') };
}

function receiveMultipart(req: Readable, headers: IncomingHttpHeaders, tempPath: string, maxBytes: number) {
  return new Promise<{ size: number; sha512: string }>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: headers as busboy.BusboyConfig["headers"], limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 40 } });
    } catch {
      reject(new HttpError(400, 'The multipart body is malformed (no boundary in Content-Type).'));
      return;
    }
    let filePipeline: Promise<{ size: number; sha512: string }> | null = null;
    let out: WriteStream | null = null;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      bb.destroy();
      // the file part will never end now: close the temp file before the caller removes it
      if (out) void closedStream(out).then(() => reject(err));
      else reject(err);
    };
    bb.on('file', (_name: string, file: Readable) => {
      if (filePipeline || settled) {
        file.resume();
        return;
      }
      const measure = new MeasureStream(maxBytes);
      out = createWriteStream(tempPath);
      filePipeline = pipeline(file, measure, out).then(() => ({
        size: measure.size,
        sha512: measure.hash.digest('base64'),
      }));
      filePipeline.catch(fail);
    });
    bb.on('error', () => fail(new HttpError(400, 'The multipart body is malformed.')));
    bb.on('close', () => {
      if (settled) return;
      if (!filePipeline) {
        fail(new HttpError(400, 'The multipart body has no file part: send the .nupkg as the first part.'));
        return;
      }
      filePipeline.then((r) => {
        if (settled) return;
        settled = true;
        resolve(r);
      }, fail);
    });
    req.on('close', () => {
      if (!req.readableEnded) fail(new HttpError(400, 'The client closed the connection before the upload finished.'));
    });
    req.on('error', () => fail(new HttpError(400, 'The upload failed before it finished.')));
    req.pipe(bb);
  });
}
