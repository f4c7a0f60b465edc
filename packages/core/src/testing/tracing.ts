import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../tracing.ts';

/** Traces kept in memory, for tests that follow a request's spans across services in one process. */
export function startInMemoryTracing(service: string): { spans(): ReadableSpan[]; shutdown(): Promise<void> } {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing(service, { processor: new SimpleSpanProcessor(exporter) })!;
  return { spans: () => exporter.getFinishedSpans(), shutdown: () => tracing.shutdown() };
}
