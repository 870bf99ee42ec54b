/**
 * Receives a push body (protocol reference §2.1): multipart/form-data (the first file part is the
 * package; later parts are ignored) or a raw nupkg body, chunked or with Content-Length. The bytes
 * are hashed (SHA-512) and counted as they arrive and kept in memory up to
 * {@link UPLOAD_MEMORY_MAX_BYTES} (most packages: the push then inspects and stores them without a
 * temp file); a bigger package is streamed to a temp file from the point where it outgrows that, so
 * nothing larger is ever buffered whole. The temp file's path comes from the upload staging
 * (upload/staging.ts).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { HttpError } from '../errors.ts';
import type { PackageUpload } from '../services/packages.ts';

/** A received push body: the package service's plain upload value (bytes or a staged file, size, SHA-512). */
export type ReceivedUpload = PackageUpload;

/** Packages up to this size are kept in memory while they arrive; larger ones go to a temp file. */
export const UPLOAD_MEMORY_MAX_BYTES = 1024 * 1024;

/**
 * At most this many bytes of uploads still arriving are held in memory, over all uploads: past it a
 * small package goes to a temp file as a large one does (many slow clients cannot hold much memory).
 */
export const UPLOADS_MEMORY_BUDGET_BYTES = 64 * 1024 * 1024;
let heldByArriving = 0;

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
 * Where the bytes of an upload go: memory while they fit in `memoryMax` (and in the budget of all
 * uploads arriving), else the temp file (the bytes held so far written first). Destroying it closes the temp file before it emits 'close', so that the
 * caller may remove the file then.
 */
class UploadSink extends Writable {
  private chunks: Buffer[] = [];
  private held = 0;
  /** bytes of `chunks` counted in the budget of all arriving uploads */
  private counted = 0;
  private file: WriteStream | null = null;

  constructor(
    private readonly tempPath: string,
    private readonly memoryMax: number,
  ) {
    super();
  }

  /** the bytes, when they stayed in memory (after the sink finished) */
  bytes(): Buffer | null {
    return this.file ? null : this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held);
  }

  /** returns this upload's share of {@link UPLOADS_MEMORY_BUDGET_BYTES} (its bytes are complete or dropped) */
  private release(): void {
    heldByArriving -= this.counted;
    this.counted = 0;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.file && this.held + chunk.length <= this.memoryMax && heldByArriving + chunk.length <= UPLOADS_MEMORY_BUDGET_BYTES) {
      this.chunks.push(chunk);
      this.held += chunk.length;
      this.counted += chunk.length;
      heldByArriving += chunk.length;
      cb();
      return;
    }
    if (!this.file) {
      this.release();
      const file = createWriteStream(this.tempPath);
      file.on('error', (err) => this.destroy(err));
      for (const c of this.chunks) file.write(c);
      this.chunks = [];
      this.file = file;
    }
    if (this.file.write(chunk)) cb();
    else this.file.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.release();
    const file = this.file;
    if (!file) {
      cb();
      return;
    }
    // done once the descriptor is closed: the file is then complete for inspection and fsync
    file.once('close', () => cb());
    file.end();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // (also called after a successful finish: autoDestroy; the chunks are kept for `bytes()`)
    this.release();
    if (err) this.chunks = [];
    const file = this.file;
    if (!file || file.closed) {
      cb(err);
      return;
    }
    file.once('close', () => cb(err));
    file.destroy();
  }
}

/**
 * Receives the request body of a push: in memory when it fits `memoryMax`, else into `tempPath`.
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
  memoryMax = UPLOAD_MEMORY_MAX_BYTES,
): Promise<ReceivedUpload> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw tooLarge(maxBytes);
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  const mediaType = contentType.split(';')[0].trim();
  try {
    let result: Received;
    if (mediaType === 'multipart/form-data') result = await receiveMultipart(req, headers, tempPath, maxBytes, memoryMax);
    else if (mediaType === '' || RAW_TYPES.has(mediaType)) result = await receiveRaw(req, tempPath, maxBytes, memoryMax);
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

type Received = Omit<ReceivedUpload, 'path'>;

/**
 * Resolves once `out` has closed its temp file. A write stream destroyed before its `open` finished
 * still opens (creating the file) and then closes: removing the temp file before that would leave it
 * behind, and a stream never destroyed would keep a removed file's disk space allocated.
 */
function closedStream(out: Writable): Promise<void> {
  if (out.closed) return Promise.resolve();
  return new Promise((resolve) => {
    out.once('close', () => resolve());
    out.destroy();
  });
}

async function receiveRaw(req: Readable, tempPath: string, maxBytes: number, memoryMax: number): Promise<Received> {
  const measure = new MeasureStream(maxBytes);
  const out = new UploadSink(tempPath, memoryMax);
  try {
    await pipeline(req, measure, out);
  } catch (err) {
    await closedStream(out);
    throw err;
  }
  return { bytes: out.bytes(), size: measure.size, sha512: measure.hash.digest('base64') };
}

function receiveMultipart(req: Readable, headers: IncomingHttpHeaders, tempPath: string, maxBytes: number, memoryMax: number) {
  return new Promise<Received>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: headers as busboy.BusboyConfig["headers"], limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 40 } });
    } catch {
      reject(new HttpError(400, 'The multipart body is malformed (no boundary in Content-Type).'));
      return;
    }
    let filePipeline: Promise<Received> | null = null;
    let out: UploadSink | null = null;
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
      const sink = new UploadSink(tempPath, memoryMax);
      out = sink;
      filePipeline = pipeline(file, measure, sink).then(() => ({
        bytes: sink.bytes(),
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
