import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type TextMapSetter } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry traces across the hub. Each service calls `startTracing` once: with OTEL_EXPORTER_OTLP_ENDPOINT set
 * (the collector's base URL), spans go to `<it>/v1/traces` over OTLP/HTTP; without it nothing is
 * registered and every span below is the API's no-op. Context travels in W3C `traceparent` headers: from a client
 * into the gateway, and from the gateway into every subgraph request, so one trace spans all the departments.
 */
export function startTracing(service: string, options: { env?: NodeJS.ProcessEnv; processor?: SpanProcessor } = {}): { shutdown(): Promise<void> } | null {
  const env = options.env ?? process.env;
  let processor = options.processor;
  if (!processor) {
    if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
    const exporter: SpanExporter = new OTLPTraceExporter();
    processor = new BatchSpanProcessor(exporter);
  }
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [processor] });
  // Also installs the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  return { shutdown: () => provider.shutdown() };
}

const tracer = () => trace.getTracer('@hub/core');

const headerSetter: TextMapSetter<{ set(name: string, value: string): void }> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** Writes the active span's `traceparent` (and `tracestate`) into outgoing headers. */
export function injectTraceContext(headers: { set(name: string, value: string): void }, from: Context = context.active()): void {
  propagation.inject(from, headers, headerSetter);
}

/**
 * Runs an HTTP request's handling inside a server span that continues the caller's trace (its `traceparent`), and
 * ends the span with the response's status. The route is the service's fixed path, never the raw URL.
 */
export function traceRequest<T>(service: string, req: IncomingMessage, res: ServerResponse, route: string, work: () => T): T {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer().startSpan(
    `${req.method ?? 'GET'} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'hub.service': service, 'http.request.method': req.method ?? 'GET', 'http.route': route } },
    parent,
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return context.with(trace.setSpan(parent, span), work);
}
