import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('writes structured lines tagged with the service name', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'registration', destination: stream }).info({ registrantId: 'r1' }, 'registered');
    expect(lines[0]).toMatchObject({ service: 'registration', level: 'info', msg: 'registered', registrantId: 'r1' });
  });

  it('never writes personal data, at any depth, or credentials', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'registration', destination: stream });
    logger.info(
      {
        fullName: 'Zoë Ångström',
        body: { contact: { address: 'zoe@example.org' }, birthDate: '1990-01-02' },
        job: { data: { payload: { email: 'x@example.org', nationalId: 'AB123' } } },
        req: { headers: { authorization: 'Bearer secret-token' } },
      },
      'request',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['Zoë', 'zoe@example.org', '1990-01-02', 'x@example.org', 'AB123', 'secret-token']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});
