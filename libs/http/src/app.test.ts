import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createLogger } from '@jab/logger';
import express, { Router } from 'express';
import { Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Conflict, createApp, createOpenApi, finalizeApp, parsed, TooManyRequests, validate } from './index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

const booking = {
  body: z.object({ slotId: z.uuid(), contact: z.object({ email: z.email() }), dose: z.number().int().min(1) }),
  params: z.object({ centerId: z.string().regex(/^c-\d+$/) }),
  query: z.object({ notify: z.enum(['yes', 'no']).default('no') }),
};

function build(bodyLimit = '1kb') {
  const { lines, logger } = capture();
  const registry = new Registry();
  const openapi = createOpenApi({
    service: 'test',
    version: '1.0.0',
    routes: [{ method: 'post', path: '/centers/:centerId/bookings', request: booking, responses: { '201': { description: 'Booked' } } }],
  });
  const app = createApp({ service: 'test', logger, registry, bodyLimit, openapi });
  const api = Router();
  api.post('/centers/:centerId/bookings', validate(booking), (req, res) => {
    const { body, params, query } = parsed(req, booking);
    res.status(201).json({ slotId: body.slotId, centerId: params.centerId, notify: query.notify });
  });
  const note = { body: z.object({ text: z.string().max(200), tags: z.array(z.string()) }) };
  api.post('/notes', validate(note), (req, res) => {
    res.status(201).json(parsed(req, note).body);
  });
  // A route reading its own body type (as notifications' provider events do).
  api.post('/events', express.text({ type: () => true, limit: '1kb' }), (req, res) => {
    res.status(202).json({ length: String(req.body).length });
  });
  api.get('/things/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  api.get('/boom', async () => {
    throw new Error('connection to db-internal.example:5432 refused');
  });
  api.get('/db-down', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.3.7:5432'), { code: 'ECONNREFUSED' });
  });
  api.get('/db-restarting', async () => {
    throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  });
  api.get('/conflict', () => {
    throw new Conflict('The slot is full.');
  });
  api.get('/slow-down', () => {
    throw new TooManyRequests(30);
  });
  app.use('/api/test/v1', api);
  finalizeApp(app);
  return { app, lines, registry };
}

const validBooking = { slotId: '0190a7e4-5b8c-7c3e-9f1a-2b3c4d5e6f70', contact: { email: 'a@example.org' }, dose: 1 };

describe('createApp', () => {
  it('passes parsed, typed values to the handler', async () => {
    const { app } = build();
    const res = await request(app).post('/api/test/v1/centers/c-7/bookings?notify=yes').send(validBooking);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ slotId: validBooking.slotId, centerId: 'c-7', notify: 'yes' });
  });

  it('answers a bad request with a 400 problem naming every bad field', async () => {
    const { app } = build();
    const res = await request(app)
      .post('/api/test/v1/centers/nope/bookings?notify=maybe')
      .send({ slotId: 'x', contact: { email: 'not-an-email' } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['body.contact.email', 'body.dose', 'body.slotId', 'params.centerId', 'query.notify'].sort(),
    );
    for (const e of res.body.errors) expect(e.message).toEqual(expect.any(String));
  });

  it('refuses a NUL character in any string (PostgreSQL text cannot hold it) as a field error', async () => {
    const { app } = build();
    const res = await request(app).post('/api/test/v1/notes').send({ text: "' OR 1=1 --\u0000", tags: ['ok', 'b\u0000d'] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'body.text', message: 'must not contain a NUL character' },
      { path: 'body.tags.1', message: 'must not contain a NUL character' },
    ]);
    // Everything else, injection-looking text included, passes through as it was typed.
    const ok = await request(app).post('/api/test/v1/notes').send({ text: "' OR 1=1 --", tags: [] });
    expect(ok.status).toBe(201);
    expect(ok.body.text).toBe("' OR 1=1 --");
  });

  it('answers malformed JSON with a 400 problem, not a 500', async () => {
    const { app } = build();
    const res = await request(app)
      .post('/api/test/v1/centers/c-1/bookings')
      .set('content-type', 'application/json')
      .send('{"slotId": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/not valid JSON/);
  });

  describe('a compressed body (Content-Encoding)', () => {
    const marker = 'Zoe Distinct-Marker 555-0199';
    const json = JSON.stringify({ text: marker, tags: [] });
    // superagent would serialize a Buffer as JSON; the bytes must go out as they are.
    const post = (app: ReturnType<typeof build>['app'], encoding: string, bytes: Buffer) =>
      request(app).post('/api/test/v1/notes').set('content-type', 'application/json').set('content-encoding', encoding).serialize((b: Buffer) => b as unknown as string).send(bytes);

    it('is decompressed when it is valid gzip, deflate or br', async () => {
      const { app } = build();
      const bodies = { gzip: gzipSync(json), deflate: deflateSync(json), br: brotliCompressSync(json) };
      for (const [encoding, bytes] of Object.entries(bodies)) {
        const res = await post(app, encoding, bytes);
        expect(res.status, encoding).toBe(201);
        expect(res.body.text).toBe(marker);
      }
    });

    it('answers 400 problem when the body is not valid data for its encoding, and logs none of it', async () => {
      const { app, lines } = build();
      const cases: [string, Buffer][] = [
        ['gzip', Buffer.from(json)],
        ['deflate', Buffer.from(json)],
        ['br', Buffer.from(json)],
        ['gzip', gzipSync(json).subarray(0, 12)],
        ['GZIP', Buffer.from(json)],
      ];
      const responses = [];
      for (const [encoding, bytes] of cases) responses.push(await post(app, encoding, bytes));
      // The same on a route with its own text parser.
      responses.push(await request(app).post('/api/test/v1/events').set('content-type', 'text/plain').set('content-encoding', 'gzip').send(json));
      for (const res of responses) {
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body).toMatchObject({ title: 'Bad Request', status: 400, detail: expect.stringMatching(/Content-Encoding/) });
        expect(res.text).not.toContain('Distinct-Marker');
      }
      expect(lines).toHaveLength(responses.length);
      for (const line of lines) expect(line).toMatchObject({ level: 'info', http: { statusCode: 400 } });
      expect(lines.filter((l) => 'err' in l)).toEqual([]);
      expect(JSON.stringify(lines)).not.toContain('Distinct-Marker');
    });

    it('answers 415 problem for an encoding it does not support, naming the ones it does', async () => {
      const { app, lines } = build();
      for (const encoding of ['compress', 'zstd', 'gzip, br', 'x-secret-encoding']) {
        const res = await post(app, encoding, Buffer.from(json));
        expect(res.status, encoding).toBe(415);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body).toMatchObject({ title: 'Unsupported Media Type', status: 415, detail: expect.stringMatching(/gzip, deflate or br/) });
        // The client's own header value is not echoed back.
        expect(res.text).not.toContain('x-secret-encoding');
      }
      expect(JSON.stringify(lines)).not.toContain('x-secret-encoding');
    });
  });

  it('answers a malformed percent-escape in a path segment with a 400 problem, and logs no error', async () => {
    const { app, lines } = build();
    const sent = [
      request(app).get('/api/test/v1/things/%E0%A4%A'),
      request(app).get('/api/test/v1/things/%FF'),
      request(app).post('/api/test/v1/centers/%C3%28/bookings').send(validBooking),
    ];
    for (const res of await Promise.all(sent)) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ title: 'Bad Request', status: 400, detail: expect.stringMatching(/percent-encod/) });
    }
    expect(lines.filter((l) => l.level !== 'info' || 'err' in l)).toEqual([]);
  });

  it('answers an oversized body with a 413 problem', async () => {
    const { app } = build('1kb');
    const res = await request(app)
      .post('/api/test/v1/centers/c-1/bookings')
      .send({ ...validBooking, padding: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const { app } = build();
    const res = await request(app).get('/api/test/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404 });
  });

  it('maps domain errors to their status, with Retry-After for 429', async () => {
    const { app } = build();
    const conflict = await request(app).get('/api/test/v1/conflict');
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail).toBe('The slot is full.');
    const limited = await request(app).get('/api/test/v1/slow-down');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
  });

  it('hides internals of a 500, carries the request id, and logs the error once', async () => {
    const { app, lines } = build();
    const res = await request(app).get('/api/test/v1/boom').set('x-request-id', 'req-12345678');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Internal Server Error',
      requestId: 'req-12345678',
    });
    expect(res.text).not.toContain('db-internal');
    const errorLines = lines.filter((l) => l.level === 'error');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatchObject({ reqId: 'req-12345678', err: { message: expect.stringContaining('refused') } });
  });

  it('answers 503 with Retry-After when PostgreSQL or Redis cannot be reached, hiding where, and logs the error once', async () => {
    const { app, lines } = build();
    for (const path of ['/api/test/v1/db-down', '/api/test/v1/db-restarting']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
      expect(res.text).not.toContain('10.0.3.7');
    }
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
    // Anything else stays a 500: a bug is not a reason to retry.
    expect((await request(app).get('/api/test/v1/boom')).status).toBe(500);
  });

  it('echoes a well-formed request id, and replaces a missing or malformed one with a UUID', async () => {
    const { app } = build();
    const echoed = await request(app).get('/health/live').set('x-request-id', 'abc.DEF_123-xyz');
    expect(echoed.headers['x-request-id']).toBe('abc.DEF_123-xyz');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const generated = await request(app).get('/health/live');
    expect(generated.headers['x-request-id']).toMatch(uuid);
    for (const bad of ['short', 'has space in it', 'x'.repeat(129), 'semi;colon-value']) {
      const res = await request(app).get('/health/live').set('x-request-id', bad);
      expect(res.headers['x-request-id']).toMatch(uuid);
    }
  });

  it('logs one line per request with the route pattern, no body and no query string', async () => {
    const { app, lines } = build();
    await request(app)
      .post('/api/test/v1/centers/c-9/bookings?name=Zo%C3%AB')
      .send({ ...validBooking, contact: { email: 'zoe@example.org' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      http: { method: 'POST', route: '/api/test/v1/centers/:centerId/bookings', path: '/api/test/v1/centers/c-9/bookings', statusCode: 201 },
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('zoe@example.org');
    expect(text).not.toContain('name=');
    expect(text).not.toContain(validBooking.slotId);
  });

  it('logs a request whose client went away before the answer as 499 at warn, not as a server error', async () => {
    const { lines, logger } = capture();
    const app = createApp({ service: 'test', logger, registry: new Registry() });
    let arrived = false;
    app.get('/api/test/v1/slow', () => {
      arrived = true; // and never answers
    });
    finalizeApp(app);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const aborted = new AbortController();
    const pending = fetch(`http://127.0.0.1:${port}/api/test/v1/slow`, { signal: aborted.signal }).catch(() => undefined);
    const until = async (ok: () => boolean) => {
      while (!ok()) await new Promise((done) => setTimeout(done, 10));
    };
    await until(() => arrived);
    aborted.abort();
    await pending;
    await until(() => lines.length === 1);
    server.closeAllConnections();
    server.close();
    expect(lines[0]).toMatchObject({ level: 'warn', http: { route: '/api/test/v1/slow', statusCode: 499 } });
    expect(lines[0]).not.toHaveProperty('err');
  });

  it('sets helmet security headers and hides x-powered-by', async () => {
    const { app } = build();
    const res = await request(app).get('/health/live');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('trusts the one proxy hop in front for the client address', async () => {
    const { logger } = capture();
    const probe = createApp({ service: 'test', logger, registry: new Registry() });
    probe.get('/ip', (req, res) => {
      res.json({ ip: req.ip, protocol: req.protocol });
    });
    const res = await request(probe).get('/ip').set('x-forwarded-for', '6.6.6.6, 203.0.113.9').set('x-forwarded-proto', 'https');
    expect(res.body).toEqual({ ip: '203.0.113.9', protocol: 'https' });
  });

  it('behind CloudFront and the ALB (two hops) takes the viewer CloudFront saw, not an address the client wrote', async () => {
    const { logger } = capture();
    const probe = createApp({ service: 'test', logger, registry: new Registry(), trustProxy: 2 });
    probe.get('/ip', (req, res) => {
      res.json({ ip: req.ip });
    });
    // The client forged 6.6.6.6; CloudFront appended the viewer 198.51.100.7, the ALB CloudFront's edge 203.0.113.9.
    const res = await request(probe).get('/ip').set('x-forwarded-for', '6.6.6.6, 198.51.100.7, 203.0.113.9');
    expect(res.body).toEqual({ ip: '198.51.100.7' });
  });

  it('exports default metrics and the request duration histogram by route pattern', async () => {
    const { app } = build();
    await request(app).get('/api/test/v1/things/42');
    await request(app).get('/api/test/v1/boom');
    await request(app).get('/api/test/v1/no/such/path');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(
      /http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/test\/v1\/things\/:id",status_code="200"\}/,
    );
    // An error leaving the router keeps the full pattern, and unknown paths share one label.
    expect(res.text).toContain('route="/api/test/v1/boom",status_code="500"');
    expect(res.text).toContain('route="unmatched",status_code="404"');
    expect(res.text).not.toContain('/things/42');
  });

  it('serves an OpenAPI 3.1 document built from the validated route schemas', async () => {
    const { app } = build();
    const res = await request(app).get('/api/test/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: '/api/test/v1' }]);
    const op = res.body.paths['/centers/{centerId}/bookings'].post;
    const body = op.requestBody.content['application/json'].schema;
    expect(body.required.sort()).toEqual(['contact', 'dose', 'slotId']);
    expect(body.properties.slotId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(body.properties.contact.properties.email).toMatchObject({ type: 'string', format: 'email' });
    expect(op.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'path', name: 'centerId', required: true }),
        expect.objectContaining({ in: 'query', name: 'notify' }),
      ]),
    );
    expect(Object.keys(op.responses).sort()).toEqual(['201', '400', '500']);
  });
});
