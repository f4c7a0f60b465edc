import { ApolloServer } from '@apollo/server';
import { context, createContextKey } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_LIMITS, REDACTED, redactLogFields, redactLogText } from '../src/log-redaction.ts';
import { createHttpService, createLogger, listen, REQUEST_ID_HEADER, type RunningService } from '../src/index.ts';

const ID = '11010519491231002X';
const MASKED_ID = '110105********002X';
const PHONE = '13800138000';
const MASKED_PHONE = '138****8000';
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMTAxMDUxOTQ5MTIzMTAwMlgifQ.MEUCIQDx0n3o7jK2c4b_5v-signature';

describe('free text in log lines', () => {
  it('masks ID numbers, also of 15 digits, glued to letters and in full-width digits', () => {
    expect(redactLogText(`lookup ${ID} failed`)).toBe(`lookup ${MASKED_ID} failed`);
    expect(redactLogText(`id${ID}ok`)).toBe(`id${MASKED_ID}ok`);
    expect(redactLogText('sfz:110105491231002;')).toBe('sfz:110105*****1002;');
    expect(redactLogText('证件号１１０１０５１９４９１２３１００２Ｘ。')).toBe(`证件号${MASKED_ID}。`);
    expect(redactLogText('110105194912310021')).toBe('110105********0021');
  });

  it('masks mobile numbers with country prefixes and separators, and bank-card digit runs', () => {
    expect(redactLogText(`tel ${PHONE}.`)).toBe(`tel ${MASKED_PHONE}.`);
    expect(redactLogText('call +86 138-0013-8000 now')).toBe(`call +86 ${MASKED_PHONE} now`);
    expect(redactLogText('0086-138 0013 8000')).toBe(`0086-${MASKED_PHONE}`);
    expect(redactLogText('手机１３８００１３８０００')).toBe(`手机${MASKED_PHONE}`);
    expect(redactLogText('card 6222021234567890123 paid')).toBe('card 622202*********0123 paid');
    expect(redactLogText('card 4111111111111111')).toBe('card 411111******1111');
    // What is not personal stays: a 10-digit count, a landline-length run, a time.
    expect(redactLogText('rows 1234567890 at 2026-12-06T13:00:00Z, ext 12345')).toBe('rows 1234567890 at 2026-12-06T13:00:00Z, ext 12345');
  });

  it('masks bearer credentials, JWTs and the parameters a database error quotes', () => {
    expect(redactLogText(`authorization: Bearer ${JWT}`)).toBe(`authorization: Bearer ${REDACTED}`);
    expect(redactLogText(`token=${JWT}&x=1`)).toBe(`token=${REDACTED}&x=1`);
    expect(redactLogText('Failed query: insert into parties values ($1, $2)\nparams: 张三,13800138000')).toBe(
      `Failed query: insert into parties values ($1, $2)\nparams: ${REDACTED}`,
    );
  });
});

describe('log fields', () => {
  it('are redacted at any depth: nested objects, arrays, Maps, Sets', () => {
    const fields = {
      event: { subject: ID, claims: { phone: PHONE, name: '张三', role: 'administrator', password: 'hunter2' } },
      rows: [{ line: 3, value: `bad ${ID}` }, [`+86 ${PHONE}`]],
      byKey: new Map<unknown, unknown>([[ID, { residentName: '欧阳娜娜' }]]),
      seen: new Set([PHONE]),
      operationName: 'ResidentProfile',
      remoteAddress: '127.0.0.1',
      at: new Date('2026-12-06T00:00:00Z'),
      count: 12,
      asNumber: 13800138000,
      big: 6222021234567890123n,
    };
    expect(redactLogFields(fields)).toEqual({
      event: { subject: MASKED_ID, claims: { phone: MASKED_PHONE, name: '张*', role: 'administrator', password: REDACTED } },
      rows: [{ line: 3, value: `bad ${MASKED_ID}` }, [`+86 ${MASKED_PHONE}`]],
      byKey: { [MASKED_ID]: { residentName: '欧***' } },
      seen: [MASKED_PHONE],
      operationName: 'ResidentProfile',
      remoteAddress: '127.0.0.1',
      at: '2026-12-06T00:00:00.000Z',
      count: 12,
      asNumber: MASKED_PHONE,
      big: '622202*********0123',
    });
  });

  it('mask whole values under personal or secret keys, objects included', () => {
    expect(redactLogFields({ address: { street: '人民路1号', city: '徐州' }, idNumber: { value: ID }, authorization: `Bearer ${JWT}`, apiKey: 42 })).toEqual({
      address: REDACTED,
      idNumber: REDACTED,
      authorization: REDACTED,
      apiKey: REDACTED,
    });
  });

  it('write Errors with their message, own fields and causes', () => {
    const driver = Object.assign(new Error(`duplicate key value violates unique constraint "residents_pkey"`), { code: '23505', detail: `Key (id_number)=(${ID}) already exists.`, where: `lookup of ${ID}` });
    const error = new Error(`Failed query: insert into residents values ($1, $2)\nparams: ${ID},张三`, { cause: driver });
    expect(redactLogFields({ error })).toEqual({
      error: {
        type: 'Error',
        message: `Failed query: insert into residents values ($1, $2)\nparams: ${REDACTED}`,
        cause: { type: 'Error', message: 'duplicate key value violates unique constraint "residents_pkey"', code: '23505', detail: REDACTED, where: `lookup of ${MASKED_ID}` },
      },
    });
    const aggregate = new AggregateError([new TypeError(`no phone ${PHONE}`)], 'all failed');
    expect(redactLogFields({ aggregate })).toEqual({ aggregate: { type: 'AggregateError', message: 'all failed', errors: [{ type: 'TypeError', message: `no phone ${MASKED_PHONE}` }] } });
  });

  it('end cycles, and cap depth, string length, items and keys', () => {
    const cyclic: Record<string, unknown> = { id: ID };
    cyclic.self = cyclic;
    const shared = { phone: PHONE };
    expect(redactLogFields({ cyclic, pair: [shared, shared] })).toEqual({ cyclic: { id: MASKED_ID, self: '[circular]' }, pair: [{ phone: MASKED_PHONE }, { phone: MASKED_PHONE }] });

    let deep: unknown = { idNumber: ID };
    for (let i = 0; i < 20; i++) deep = { deeper: deep };
    expect(JSON.stringify(redactLogFields({ deep }))).toContain('[depth limit]');
    expect(JSON.stringify(redactLogFields({ deep }))).not.toContain(ID);

    // A number straddling the cut is still masked before it is cut.
    const long = `${'x'.repeat(LOG_LIMITS.stringLength - 9)}${ID}${'y'.repeat(5000)}`;
    const cut = redactLogFields({ long }).long as string;
    expect(cut).toBe(`${'x'.repeat(LOG_LIMITS.stringLength - 9)}${MASKED_ID.slice(0, 9)}…(${long.length} characters)`);

    const many = redactLogFields({ list: Array.from({ length: 500 }, (_, i) => `${PHONE} #${i}`), wide: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])) });
    expect((many.list as unknown[]).length).toBe(LOG_LIMITS.items + 1);
    expect((many.list as unknown[]).at(-1)).toBe('…(500 items)');
    expect(Object.keys(many.wide as object)).toHaveLength(LOG_LIMITS.keys + 1);
    expect(JSON.stringify(many)).not.toContain(PHONE);
  });

  it('survive getters that throw', () => {
    const hostile = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error(ID); } });
    expect(redactLogFields({ hostile })).toEqual({ hostile: '[unreadable]' });
  });
});

describe('log lines', () => {
  const lines: Record<string, unknown>[] = [];
  const write = process.stderr.write;
  beforeAll(() => {
    process.stderr.write = ((chunk: unknown) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    }) as typeof process.stderr.write;
  });
  afterAll(() => {
    process.stderr.write = write;
  });
  const services: RunningService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
    lines.length = 0;
  });

  const logger = createLogger('unit', 'debug');
  async function serve() {
    const apollo = new ApolloServer({ typeDefs: 'type Query { ping: String }', resolvers: { Query: { ping: () => 'pong' } } });
    await apollo.start();
    const routes = {
      '/work': async (_req: unknown, res: { end(body: string): void }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        logger.warn('refused', { requestId: 'forged', message: 'forged', details: { idNumber: ID } });
        res.end('ok');
      },
      // A value set on the request's context (as a library's span or a suppressed trace is) keeps the request's ids.
      '/nested': (_req: unknown, res: { end(body: string): void }) => {
        const key = createContextKey('unit.nested');
        context.with(context.active().setValue(key, 'kept'), () => {
          logger.warn('nested', { value: String(context.active().getValue(key)) });
          context.with(context.active().deleteValue(key), () => logger.warn('nested', { value: String(context.active().getValue(key)) }));
        });
        res.end('ok');
      },
    };
    const service = await listen(createHttpService({ apollo, context: async () => ({}), routes, logger }), 0, '127.0.0.1', () => apollo.stop());
    services.push(service);
    return service.url.replace(/\/graphql$/, '');
  }

  it('carry no ids outside a request', () => {
    logger.info('ready', { url: 'http://127.0.0.1:1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('requestId');
    expect(lines[0]).not.toHaveProperty('traceId');
    expect(lines[0]).not.toHaveProperty('spanId');
  });

  it("carry the request id and a trace id inside a request, the caller's trace when it sends one", async () => {
    const base = await serve();
    await (await fetch(`${base}/work`, { headers: { [REQUEST_ID_HEADER]: 'desk-1' } })).text();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await (await fetch(`${base}/work`, { headers: { [REQUEST_ID_HEADER]: 'desk-2', traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })).text();
    await vi.waitFor(() => expect(lines.filter((line) => line.message === 'refused')).toHaveLength(2), { timeout: 10_000, interval: 5 });
    const refused = lines.filter((line) => line.message === 'refused');
    expect(refused.map((line) => line.requestId)).toEqual(['desk-1', 'desk-2']);
    expect(refused[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(refused[0]!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(refused[1]!.traceId).toBe(traceId);
    // This service's own span under the caller's.
    expect(refused[1]!.spanId).not.toBe('00f067aa0ba902b7');
    expect(refused[0]!.details).toEqual({ idNumber: MASKED_ID });
    // The per-request line of the HTTP service, written once the answer is sent, carries them too.
    const answered = lines.filter((line) => line.message === 'request');
    expect(answered.map((line) => [line.requestId, line.traceId])).toEqual([
      ['desk-1', refused[0]!.traceId],
      ['desk-2', traceId],
    ]);
  });

  it("continue only a well-formed traceparent, as the W3C propagator reads it, and keep the ids in a nested context", async () => {
    const base = await serve();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const cases: [string, boolean][] = [
      [`00-${traceId}-00f067aa0ba902b7-01`, true],
      // A later version may carry more; version 00 may not, ff is no version, and ids may not be all zeros.
      [`01-${traceId}-00f067aa0ba902b7-01-more`, true],
      [`00-${traceId}-00f067aa0ba902b7-01-more`, false],
      [`ff-${traceId}-00f067aa0ba902b7-01`, false],
      [`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, false],
      [`00-${traceId}-${'0'.repeat(16)}-01`, false],
      [`00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`, false],
    ];
    for (const [i, [traceparent]] of cases.entries()) {
      await (await fetch(`${base}/nested`, { headers: { [REQUEST_ID_HEADER]: `desk-${i}`, traceparent } })).text();
    }
    await vi.waitFor(() => expect(lines.filter((line) => line.message === 'nested')).toHaveLength(2 * cases.length), { timeout: 10_000, interval: 5 });
    const nested = lines.filter((line) => line.message === 'nested');
    for (const [i, [, continued]] of cases.entries()) {
      const [inner, deleted] = [nested[2 * i]!, nested[2 * i + 1]!];
      expect([inner.requestId, inner.value, deleted.requestId, deleted.value]).toEqual([`desk-${i}`, 'kept', `desk-${i}`, 'undefined']);
      expect(inner.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(inner.traceId === traceId).toBe(continued);
      expect(inner.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(inner.spanId).not.toBe('00f067aa0ba902b7');
      expect([deleted.traceId, deleted.spanId]).toEqual([inner.traceId, inner.spanId]);
    }
  });
});
