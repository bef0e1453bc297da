import { centerSearchQuery, registrantSearchQuery } from '@jab/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCursors } from './cursor.js';
import { InvalidCursorError } from './engine.js';

const key = randomBytes(32);
const cursors = createCursors(key);
const query = { text: 'zoe', sort: 'relevance', region: undefined, cursor: undefined, limit: 20 };
const shape = z.tuple([z.number().int(), z.string(), z.guid()]);
const position = [3, 'zoe angstrom', randomUUID()] as [number, string, string];

const refused = (run: () => unknown) => expect(run).toThrow(InvalidCursorError);
/** The cursor's two parts, each as base64url. */
const partsOf = (cursor: string) => cursor.split('.') as [string, string];

describe('search cursors', () => {
  it('give back the position they were made with, for the same search (whatever its limit)', () => {
    const cursor = cursors.encode('postgres:registrants', query, position);
    expect(cursors.decode('postgres:registrants', { ...query, limit: 5, cursor }, cursor, shape)).toEqual(position);
  });

  it('are refused for another search, another collection or engine, and under another key', () => {
    const cursor = cursors.encode('postgres:registrants', query, position);
    refused(() => cursors.decode('postgres:registrants', { ...query, text: 'zoey' }, cursor, shape));
    refused(() => cursors.decode('postgres:registrants', { ...query, region: 'SE-AB' }, cursor, shape));
    refused(() => cursors.decode('postgres:centers', query, cursor, shape));
    refused(() => cursors.decode('opensearch:registrants', query, cursor, shape));
    refused(() => createCursors(randomBytes(32)).decode('postgres:registrants', query, cursor, shape));
  });

  it('are refused when rebuilt without the key: the unkeyed SHA-256 fingerprint format they once had', () => {
    const canonical = JSON.stringify([['sort', 'relevance'], ['text', 'zoe']]);
    const f = createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
    const rebuilt = Buffer.from(JSON.stringify({ f, p: position })).toString('base64url');
    refused(() => cursors.decode('postgres:registrants', query, rebuilt, shape));
    // Nor with a tag anyone can compute.
    const body = Buffer.from(JSON.stringify(position)).toString('base64url');
    refused(() => cursors.decode('postgres:registrants', query, `${body}.${createHash('sha256').update(body).digest('base64url')}`, shape));
  });

  it('are refused when any part is tampered with', () => {
    const cursor = cursors.encode('postgres:registrants', query, position);
    const [body, tag] = partsOf(cursor);
    const other = Buffer.from(JSON.stringify([3, 'zoe angstrom', randomUUID()])).toString('base64url');
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    for (const forged of [
      `${other}.${tag}`,
      `${flip(body, 5)}.${tag}`,
      `${body}.${flip(tag, 10)}`,
      `${body}.${tag.slice(0, -1)}`,
      `${body}.${tag}A`,
      `${body}.${tag}.${tag}`,
      `${body}`,
      `.${tag}`,
      `${body}.`,
      '',
      '💉.💉',
    ])
      refused(() => cursors.decode('postgres:registrants', query, forged, shape));
  });

  it('validate every decoded field even when the signature holds: a wrong shape, an overflow or a bad id is refused', () => {
    const strict = z.tuple([z.number().int().min(-2147483648).max(2147483647), z.string().max(10), z.guid()]);
    for (const bad of [
      [1e20, 'a', randomUUID()],
      [2147483648, 'a', randomUUID()],
      [1.5, 'a', randomUUID()],
      ['1', 'a', randomUUID()],
      [1, 'a'.repeat(11), randomUUID()],
      [1, 'a', 'not-a-uuid'],
      [1, 'a', randomUUID(), 'extra'],
      [1, null, randomUUID()],
      [],
    ]) {
      const signed = cursors.encode('postgres:registrants', query, bad as never);
      refused(() => cursors.decode('postgres:registrants', query, signed, strict));
    }
    // A signed body that is not JSON at all.
    const garbage = Buffer.from('{"not json').toString('base64url');
    const [, tag] = partsOf(cursors.encode('postgres:registrants', query, position));
    refused(() => cursors.decode('postgres:registrants', query, `${garbage}.${tag}`, strict));
  });

  it('stay within the cursor length the API accepts, even for the longest name in a non-Latin script', () => {
    const longest = 'क्षि'.repeat(50);
    expect(longest).toHaveLength(200);
    const cursor = cursors.encode('postgres:registrants', query, [2, -1_000_000, longest, randomUUID()]);
    expect(registrantSearchQuery.safeParse({ q: 'zoe', cursor }).success).toBe(true);
    expect(centerSearchQuery.safeParse({ cursor }).success).toBe(true);
  });

  it('need a key of at least 32 bytes', () => {
    expect(() => createCursors(randomBytes(16))).toThrow(/32 bytes/);
  });
});
