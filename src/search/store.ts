/**
 * Where an index lives: a local directory, or a prefix on S3-compatible object storage (`s3://bucket/path`).
 * Both hold the same named files (manifest.ts) plus the LanceDB database under `lance/`. For S3 the endpoint
 * and credentials come from the usual environment variables — AWS_ENDPOINT_URL (or AWS_ENDPOINT),
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (default us-east-1), AWS_ALLOW_HTTP=true for a plain
 * http endpoint — and are handed to LanceDB as its storage options, so both halves reach the same server.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArgumentError, ModelError } from '../errors.js';
import type { LanceLocation } from './lance.js';

/** A file being written in parts; `close` publishes it. */
export interface FileWriter {
  append(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface IndexStore {
  /** What the user gave: a directory path or an s3:// URI. */
  readonly uri: string;
  /** The LanceDB database of the index. */
  readonly lance: LanceLocation;
  read(name: string): Promise<Uint8Array>;
  exists(name: string): Promise<boolean>;
  write(name: string, bytes: Uint8Array | string): Promise<void>;
  writer(name: string): Promise<FileWriter>;
  /** Removes the named files and everything under the named folders (an old index, before a rebuild); nothing else. */
  clear(files: readonly string[], folders: readonly string[]): Promise<void>;
}

/** The LanceDB database's folder inside an index. */
export const LANCE_FOLDER = 'lance';

export function isS3Uri(uri: string): boolean {
  return uri.startsWith('s3://');
}

/** The store of an index location. */
export async function openStore(uri: string): Promise<IndexStore> {
  return isS3Uri(uri) ? S3Store.open(uri) : new LocalStore(uri);
}

class LocalStore implements IndexStore {
  readonly lance: LanceLocation;

  constructor(readonly uri: string) {
    this.lance = { uri: path.join(uri, LANCE_FOLDER) };
  }

  private file(name: string): string {
    return path.join(this.uri, name);
  }

  async read(name: string): Promise<Uint8Array> {
    return fs.readFile(this.file(name)).catch((e: NodeJS.ErrnoException) => {
      throw new ModelError(`${this.file(name)}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
    });
  }

  async exists(name: string): Promise<boolean> {
    return fs.stat(this.file(name)).then(
      () => true,
      () => false,
    );
  }

  async write(name: string, bytes: Uint8Array | string): Promise<void> {
    await fs.mkdir(this.uri, { recursive: true });
    const tmp = `${this.file(name)}.${process.pid}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, this.file(name));
  }

  async writer(name: string): Promise<FileWriter> {
    await fs.mkdir(this.uri, { recursive: true });
    const tmp = `${this.file(name)}.${process.pid}.tmp`;
    const h = await fs.open(tmp, 'w');
    return {
      append: async (bytes) => {
        await h.write(bytes);
      },
      close: async () => {
        await h.close();
        await fs.rename(tmp, this.file(name));
      },
    };
  }

  async clear(files: readonly string[], folders: readonly string[]): Promise<void> {
    for (const name of [...files, ...folders]) await fs.rm(this.file(name), { recursive: true, force: true });
  }
}

type S3Module = typeof import('@aws-sdk/client-s3');

/** Bytes per upload request: larger files go up in parts of this size. */
const PART_BYTES = 64 * 2 ** 20;

/** S3 settings from the environment, as the AWS SDK and LanceDB both understand them. */
export function s3Settings(env: NodeJS.ProcessEnv = process.env): { endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; allowHttp: boolean } {
  const endpoint = env.AWS_ENDPOINT_URL ?? env.AWS_ENDPOINT;
  return {
    endpoint,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    allowHttp: env.AWS_ALLOW_HTTP === 'true' || (endpoint?.startsWith('http://') ?? false),
  };
}

class S3Store implements IndexStore {
  readonly lance: LanceLocation;

  private constructor(
    readonly uri: string,
    private readonly s3: S3Module,
    private readonly client: InstanceType<S3Module['S3Client']>,
    private readonly bucket: string,
    private readonly prefix: string,
    storageOptions: Record<string, string>,
  ) {
    this.lance = { uri: `${uri.replace(/\/+$/, '')}/${LANCE_FOLDER}`, storageOptions };
  }

  static async open(uri: string): Promise<S3Store> {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m || m[2].replace(/\/+$/, '') === '') throw new ArgumentError(`${uri}: expected s3://bucket/path`);
    // The SDK warns on every start that its releases from 2027 on need Node 22; the pinned one runs on Node 20.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const s3 = await import('@aws-sdk/client-s3');
    const cfg = s3Settings();
    const credentials = cfg.accessKeyId && cfg.secretAccessKey ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } : undefined;
    // Checksums only where S3 requires them: the default adds trailing checksums in aws-chunked bodies, which
    // S3-compatible servers (s3rver, older MinIO) store verbatim.
    const client = new s3.S3Client({
      region: cfg.region,
      endpoint: cfg.endpoint,
      forcePathStyle: Boolean(cfg.endpoint),
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const storageOptions: Record<string, string> = { awsRegion: cfg.region };
    if (cfg.endpoint) Object.assign(storageOptions, { awsEndpoint: cfg.endpoint, awsVirtualHostedStyleRequest: 'false' });
    if (cfg.allowHttp) storageOptions.allowHttp = 'true';
    if (credentials) Object.assign(storageOptions, { awsAccessKeyId: credentials.accessKeyId, awsSecretAccessKey: credentials.secretAccessKey });
    return new S3Store(uri, s3, client, m[1], m[2].replace(/\/+$/, ''), storageOptions);
  }

  private key(name: string): string {
    return `${this.prefix}/${name}`;
  }

  private fail(name: string, e: unknown): never {
    const err = e as { name?: string; message?: string };
    const what = err.name === 'NoSuchKey' || err.name === 'NotFound' ? 'not found' : `${err.name ?? 'error'}: ${err.message ?? String(e)}`;
    throw new ModelError(`s3://${this.bucket}/${this.key(name)}: ${what}`);
  }

  async read(name: string): Promise<Uint8Array> {
    try {
      const r = await this.client.send(new this.s3.GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return await r.Body!.transformToByteArray();
    } catch (e) {
      return this.fail(name, e);
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.client.send(new this.s3.HeadObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return true;
    } catch {
      return false;
    }
  }

  async write(name: string, bytes: Uint8Array | string): Promise<void> {
    try {
      await this.client.send(new this.s3.PutObjectCommand({ Bucket: this.bucket, Key: this.key(name), Body: bytes }));
    } catch (e) {
      this.fail(name, e);
    }
  }

  /**
   * Parts are staged in a local temporary file and uploaded at `close`: in one request up to PART_BYTES, else
   * as a multipart upload of PART_BYTES parts, so memory stays bounded by one part.
   */
  async writer(name: string): Promise<FileWriter> {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'sadsl-s3-'));
    const tmp = path.join(dir, 'part');
    const h = await fs.open(tmp, 'w');
    let size = 0;
    return {
      append: async (bytes) => {
        await h.write(bytes);
        size += bytes.byteLength;
      },
      close: async () => {
        await h.close();
        try {
          await this.upload(name, tmp, size);
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      },
    };
  }

  private async upload(name: string, file: string, size: number): Promise<void> {
    const { s3, client, bucket } = this;
    const Key = this.key(name);
    const part = async (start: number): Promise<Buffer> => {
      const h = await fs.open(file, 'r');
      try {
        const buf = Buffer.alloc(Math.min(PART_BYTES, size - start));
        await h.read(buf, 0, buf.length, start);
        return buf;
      } finally {
        await h.close();
      }
    };
    try {
      if (size <= PART_BYTES) {
        await client.send(new s3.PutObjectCommand({ Bucket: bucket, Key, Body: await part(0) }));
        return;
      }
      const { UploadId } = await client.send(new s3.CreateMultipartUploadCommand({ Bucket: bucket, Key }));
      try {
        const parts: { ETag?: string; PartNumber: number }[] = [];
        for (let start = 0, n = 1; start < size; start += PART_BYTES, n++) {
          const r = await client.send(new s3.UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: n, Body: await part(start) }));
          parts.push({ ETag: r.ETag, PartNumber: n });
        }
        await client.send(new s3.CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
      } catch (e) {
        await client.send(new s3.AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId })).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      this.fail(name, e);
    }
  }

  async clear(files: readonly string[], folders: readonly string[]): Promise<void> {
    for (const name of files) await this.client.send(new this.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
    for (const folder of folders) {
      let token: string | undefined;
      do {
        const r = await this.client.send(new this.s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.key(folder)}/`, ContinuationToken: token }));
        for (const o of r.Contents ?? []) await this.client.send(new this.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: o.Key! }));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    }
  }
}
