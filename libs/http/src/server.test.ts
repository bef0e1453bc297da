import { Agent, request as httpRequest } from 'node:http';
import { createLogger } from '@jab/logger';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createApp, finalizeApp, onShutdown, startServer } from './index.js';

const logger = createLogger({ service: 'test', level: 'silent' });

function slowApp(ms: number) {
  const app = createApp({ service: 'test', logger, registry: new Registry() });
  app.get('/slow', async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    res.json({ done: true });
  });
  return finalizeApp(app);
}

// A keep-alive client holds its socket open after the response, as browsers and the ALB do.
const keepAlive = new Agent({ keepAlive: true });

function get(port: number, path: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: keepAlive }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startServer', () => {
  it('finishes the in-flight request, refuses new connections, then resolves close', async () => {
    const running = await startServer(slowApp(300), { port: 0, host: '127.0.0.1', logger });
    const inFlight = get(running.port, '/slow');
    await tick(50);
    const closed = running.close(5_000);
    await expect(get(running.port, '/slow')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(inFlight).resolves.toEqual({ status: 200, body: '{"done":true}' });
    const started = Date.now();
    await closed;
    // Keep-alive sockets are closed at once, not after their idle timeout.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(running.server.listening).toBe(false);
  });

  it('force-closes connections still open at the deadline', async () => {
    const running = await startServer(slowApp(10_000), { port: 0, host: '127.0.0.1', logger });
    const inFlight = get(running.port, '/slow');
    await tick(50);
    const started = Date.now();
    await running.close(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(inFlight).rejects.toThrow();
  });
});

describe('onShutdown', () => {
  it('on SIGTERM lets the in-flight request finish, runs every step in order, and exits 0', async () => {
    const running = await startServer(slowApp(300), { port: 0, host: '127.0.0.1', logger });
    const order: string[] = [];
    const exited = new Promise<number>((resolve) => {
      onShutdown({
        logger,
        timeoutMs: 5_000,
        exit: resolve,
        steps: [
          { name: 'http', run: () => running.close(4_000).then(() => void order.push('http')) },
          { name: 'pools', run: () => void order.push('pools') },
        ],
      });
    });
    const inFlight = get(running.port, '/slow');
    await tick(50);
    process.kill(process.pid, 'SIGTERM');
    await expect(inFlight).resolves.toMatchObject({ status: 200 });
    expect(await exited).toBe(0);
    expect(order).toEqual(['http', 'pools']);
    await expect(get(running.port, '/slow')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('exits 1 when a step fails, still running the later steps', async () => {
    const ran: string[] = [];
    let code = -1;
    const trigger = onShutdown({
      logger,
      timeoutMs: 1_000,
      exit: (c) => (code = c),
      steps: [
        { name: 'broken', run: () => Promise.reject(new Error('nope')) },
        { name: 'pools', run: () => void ran.push('pools') },
      ],
    });
    expect(await trigger('test')).toBe(1);
    expect(code).toBe(1);
    expect(ran).toEqual(['pools']);
  });

  it('exits 1 when the deadline passes', async () => {
    let code = -1;
    const trigger = onShutdown({
      logger,
      timeoutMs: 100,
      exit: (c) => (code = c),
      steps: [{ name: 'stuck', run: () => new Promise(() => undefined) }],
    });
    const started = Date.now();
    expect(await trigger('test')).toBe(1);
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('shuts down with exit 1 on an unhandled rejection, once however often triggered', async () => {
    const codes: number[] = [];
    let runs = 0;
    const trigger = onShutdown({ logger, timeoutMs: 1_000, exit: (c) => codes.push(c), steps: [{ name: 'count', run: () => void runs++ }] });
    process.emit('unhandledRejection', new Error('lost promise'), Promise.resolve());
    await trigger('SIGTERM');
    expect(codes).toEqual([1]);
    expect(runs).toBe(1);
  });
});
