import { redactText } from './codes/mask.ts';
import { currentRequestId } from './request-context.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * One JSON line per event on stderr. Every message and string field passes through `redactText`, so an ID number
 * or phone number that slips into a message is masked before it is written. Names cannot be recognised in free
 * text: callers log keys (the pseudonymous resident id), never names.
 */
export function createLogger(service: string, minLevel: Level = (process.env.LOG_LEVEL as Level | undefined) ?? 'info') {
  const threshold = order[minLevel] ?? order.info;
  const write = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < threshold) return;
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) clean[k] = typeof v === 'string' ? redactText(v) : v;
    // Every line written while a request is served carries its id, so one request is followed across services.
    const requestId = currentRequestId();
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, service, ...(requestId ? { requestId } : {}), message: redactText(message), ...clean })}\n`);
  };
  return {
    debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
    info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
    warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
    error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
  };
}
export type Logger = ReturnType<typeof createLogger>;
