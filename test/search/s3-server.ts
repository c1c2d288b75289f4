/**
 * A local S3-compatible server for tests (s3rver, in this process, on 127.0.0.1 and a free port) and the
 * environment that points sadsl — the AWS SDK and LanceDB alike — at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  endpoint: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalS3(bucket: string): Promise<LocalS3> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sadsl-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver accepts these fixed credentials.
  const env = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_ALLOW_HTTP: 'true' };
  return {
    endpoint,
    env,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
