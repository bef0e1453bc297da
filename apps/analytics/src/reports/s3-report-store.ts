import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { ReportStore } from './report-store.js';

export interface S3ReportStoreOptions {
  client: S3Client;
  bucket: string;
  /** Lifetime of download links. */
  urlTtlSeconds: number;
  /** Bytes buffered per multipart part (S3's minimum for all but the last is 5 MiB). */
  partSize?: number;
}

/**
 * AWS store: reports stream to S3 as a multipart upload, so memory holds one part
 * whatever the report's size; people download with a short-lived presigned URL.
 */
export class S3ReportStore implements ReportStore {
  private readonly partSize: number;

  constructor(private readonly options: S3ReportStoreOptions) {
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
  }

  async put(key: string, body: Readable): Promise<void> {
    const { client, bucket } = this.options;
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'text/csv; charset=utf-8' }),
    );
    if (!UploadId) throw new Error('S3 returned no upload id');
    const parts: CompletedPart[] = [];
    const upload = async (chunk: Buffer) => {
      const PartNumber = parts.length + 1;
      const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: chunk }));
      parts.push({ ETag, PartNumber });
    };
    try {
      let pending: Buffer[] = [];
      let size = 0;
      for await (const chunk of body) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        pending.push(buffer);
        size += buffer.length;
        if (size >= this.partSize) {
          await upload(Buffer.concat(pending));
          pending = [];
          size = 0;
        }
      }
      if (size > 0 || parts.length === 0) await upload(Buffer.concat(pending));
      await client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      // An unfinished upload keeps its parts (and costs) until aborted.
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  async read(key: string): Promise<Readable> {
    const { Body } = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
    if (!(Body instanceof Readable)) throw new Error('S3 returned no readable body');
    return Body;
  }

  link(key: string, reportId: string): Promise<string> {
    const { client, bucket, urlTtlSeconds } = this.options;
    return getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename="report-${reportId}.csv"` }),
      { expiresIn: urlTtlSeconds },
    );
  }
}
