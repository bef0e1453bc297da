import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ReportStore } from './s3-report-store.js';

const s3 = mockClient(S3Client);
const client = () => new S3Client({ region: 'eu-north-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });

beforeEach(() => {
  s3.reset();
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
  s3.on(UploadPartCommand).callsFake((input: { PartNumber: number }) => ({ ETag: `"etag-${input.PartNumber}"` }));
  s3.on(CompleteMultipartUploadCommand).resolves({});
  s3.on(AbortMultipartUploadCommand).resolves({});
});

describe('S3ReportStore (S3 API mocked with aws-sdk-client-mock)', () => {
  it('streams the body as a multipart upload, one bounded part at a time', async () => {
    const store = new S3ReportStore({ client: client(), bucket: 'jab-reports', urlTtlSeconds: 300, partSize: 1000 });
    const lines = Array.from({ length: 100 }, (_, i) => `row-${String(i).padStart(4, '0')},some,values\n`);
    await store.put('reports/r1.csv', Readable.from(lines));

    const parts = s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
    const uploaded = Buffer.concat(parts.map((p) => p.Body as Buffer)).toString();
    expect(uploaded).toBe(lines.join(''));
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts.slice(0, -1)) expect((p.Body as Buffer).length).toBeLessThan(1000 + 30);
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'jab-reports', Key: 'reports/r1.csv' });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input).toEqual({
      Bucket: 'jab-reports',
      Key: 'reports/r1.csv',
      UploadId: 'up-1',
      MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.PartNumber, ETag: `"etag-${p.PartNumber}"` })) },
    });
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts the upload when the body fails, so no partial object is left', async () => {
    const store = new S3ReportStore({ client: client(), bucket: 'jab-reports', urlTtlSeconds: 300 });
    async function* failing() {
      yield 'header\n';
      throw new Error('database went away');
    }
    await expect(store.put('reports/r2.csv', Readable.from(failing()))).rejects.toThrow('database went away');
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toEqual({ Bucket: 'jab-reports', Key: 'reports/r2.csv', UploadId: 'up-1' });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('hands out a short-lived presigned GET link for the object', async () => {
    const store = new S3ReportStore({ client: client(), bucket: 'jab-reports', urlTtlSeconds: 120 });
    const url = new URL(await store.link('reports/r3.csv', 'r3'));
    expect(url.hostname).toBe('jab-reports.s3.eu-north-1.amazonaws.com');
    expect(url.pathname).toBe('/reports/r3.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('120');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="report-r3.csv"');
  });

  it('reads the object back as a stream', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from(['a,b\n', '1,2\n']) as never });
    const store = new S3ReportStore({ client: client(), bucket: 'jab-reports', urlTtlSeconds: 120 });
    const chunks: string[] = [];
    for await (const c of await store.read('reports/r4.csv')) chunks.push(String(c));
    expect(chunks.join('')).toBe('a,b\n1,2\n');
  });
});
