import { redactLogFields, redactLogText } from './log-redaction.ts';
import { currentLogIds } from './request-context.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * One JSON line per event on stderr. The message and every field, at any depth (objects, arrays, Errors with their
 * causes, Maps), pass through `redactLogFields`: values under personal or secret keys masked, ID numbers, bank
 * cards, phone numbers and bearer tokens masked wherever they appear in text. Names cannot be recognised in free
 * text: callers log keys (the pseudonymous resident id), never names, or put a name under a key that says so.
 *
 * A line written while a request is served carries its `requestId`, `traceId` and `spanId` (from the request's
 * context), so one request is followed across services; a line of start-up or shutdown carries none.
 */
export function createLogger(service: string, minLevel: Level = (process.env.LOG_LEVEL as Level | undefined) ?? 'info') {
  const threshold = order[minLevel] ?? order.info;
  const write = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < threshold) return;
    let clean: Record<string, unknown>;
    try {
      clean = redactLogFields(fields);
    } catch {
      clean = { fields: '[unreadable]' };
    }
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, service, ...currentLogIds(), message: redactLogText(message) };
    // A field never overwrites the line's own keys (a forged `requestId`, a `message` of a caller's choosing).
    for (const [key, value] of Object.entries(clean)) if (!(key in line)) line[key] = value;
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
  return {
    /** Whether a line of this level is written: work done only to log (a listener per request) can be skipped. */
    enabled: (level: Level) => order[level] >= threshold,
    debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
    info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
    warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
    error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
  };
}
export type Logger = ReturnType<typeof createLogger>;
