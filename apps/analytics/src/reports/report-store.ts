import { NotFound } from '@jab/http';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where report files live; `body` is consumed as a stream (constant memory). */
export interface ReportStore {
  put(key: string, body: Readable): Promise<void>;
  read(key: string): Promise<Readable>;
  /** A link to hand to the person who asked for the report. */
  link(key: string, reportId: string): Promise<string>;
}

/** Development store: a folder on disk; downloads go through the API (authenticated). */
export class LocalReportStore implements ReportStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error('report key escapes the report folder');
    return path;
  }

  async put(key: string, body: Readable): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Written beside, then renamed: a reader never sees half a file.
    const partial = `${path}.partial`;
    try {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async read(key: string): Promise<Readable> {
    const path = this.path(key);
    if (!(await stat(path).catch(() => undefined))) throw new NotFound('The report file is gone.');
    return createReadStream(path);
  }

  async link(_key: string, reportId: string): Promise<string> {
    return `/api/analytics/v1/reports/${reportId}/download`;
  }
}
