import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context, type Span, type SpanContext, type SpanOptions, type TextMapSetter, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { isTracingSuppressed, parseTraceParent, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { installRequestContext, spanOnlyContext } from './request-context.ts';

/**
 * OpenTelemetry traces across the hub. Each service calls `startTracing` once: with OTEL_EXPORTER_OTLP_ENDPOINT set
 * (the collector's base URL), spans go to `<it>/v1/traces` over OTLP/HTTP; without it nothing is
 * registered and every span below is the API's no-op. Context travels in W3C `traceparent` headers: from a client
 * into the gateway, and from the gateway into every subgraph request, so one trace spans all the departments. The
 * headers are read and written whether or not spans are exported, so a request's log lines carry one trace id in
 * every service either way (see `traceRequest`).
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
  // The context manager is the request context's, installed for every service whether it traces or not.
  installRequestContext();
  provider.register({ contextManager: null });
  tracingStarted = true;
  return { shutdown: () => provider.shutdown() };
}

/**
 * Whether `startTracing` has registered a provider in this process (the only way the hub registers one). Until it
 * has, every span is the API's no-op: a request's span is then made as `withIds` would make it, without asking the
 * no-op tracer for a span first (its name, attributes and the proxy's lookups, per request).
 */
let tracingStarted = false;

/**
 * The tracer of the provider registered now. `trace.getTracer` makes a new proxy tracer on every call while no provider
 * is registered (every request of a service that exports nothing); the global provider changes only when tracing is
 * started or stopped, so its tracer is kept until then.
 */
let tracerOf: { provider: TracerProvider; tracer: Tracer } | undefined;
const tracer = (): Tracer => {
  const provider = trace.getTracerProvider();
  if (tracerOf?.provider !== provider) tracerOf = { provider, tracer: provider.getTracer('@hub/core') };
  return tracerOf.tracer;
};

const headerSetter: TextMapSetter<{ set(name: string, value: string): void }> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** Ours rather than the global propagator, which is a no-op unless `startTracing` registered a provider. */
const traceContext = new W3CTraceContextPropagator();

/**
 * The headers the propagator writes for a span context, by the span context: the gateway sends a request's fetches
 * under one (its request's, when its fetch spans record nothing), and the propagator's checks of the ids (two regular
 * expressions) and its text were made again for every fetch. Span contexts are not changed once made.
 */
const injected = new WeakMap<SpanContext, string[]>();

/** Writes the active span's `traceparent` (and `tracestate`) into outgoing headers. */
export function injectTraceContext(headers: { set(name: string, value: string): void }, from: Context = context.active()): void {
  const spanContext = trace.getSpanContext(from);
  if (!spanContext || isTracingSuppressed(from)) return;
  let pairs = injected.get(spanContext);
  if (pairs === undefined) {
    const made: string[] = [];
    traceContext.inject(from, { set: (name: string, value: string) => made.push(name, value) }, headerSetter);
    injected.set(spanContext, (pairs = made));
  }
  for (let i = 0; i < pairs.length; i += 2) headers.set(pairs[i]!, pairs[i + 1]!);
}

/**
 * Runs an HTTP request's handling inside a server span that continues the caller's trace (its `traceparent`), and
 * ends the span with the response's status. The route is the service's fixed path, never the raw URL.
 */
export function traceRequest<T>(service: string, req: IncomingMessage, res: ServerResponse, route: string, work: () => T): T {
  const span = startRequestSpan(service, req, route);
  res.once('close', () => span.end(res));
  return context.with(span.context, work);
}

/** A request's server span: the context its handling runs in, and how it ends once the response is closed. */
export interface RequestSpan {
  context: Context;
  end(res: ServerResponse): void;
}

/**
 * `traceRequest` in two halves, for a server that switches into the request's context once for the span and its
 * own request scope together (`http.ts`), and ends the span in a close listener it has anyway.
 */
export function startRequestSpan(service: string, req: IncomingMessage, route: string): RequestSpan {
  installRequestContext();
  // Nothing traced: the caller's ids read straight from its `traceparent` (as the propagator reads them; its
  // `tracestate` would be dropped with the caller's span anyway), and one context for the request's ids.
  if (!tracingStarted) return { context: spanOnlyContext(idsOnly(callerSpanContext(req))), end: endNothing };
  const parent = traceContext.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
  const span = tracer().startSpan(
    `${req.method ?? 'GET'} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'hub.service': service, 'http.request.method': req.method ?? 'GET', 'http.route': route } },
    parent,
  );
  return {
    context: trace.setSpan(parent, withIds(span, parent)),
    end: (res) => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** The caller's span context from its `traceparent` header, as `W3CTraceContextPropagator.extract` reads it. */
function callerSpanContext(req: IncomingMessage): SpanContext | undefined {
  const header = req.headers.traceparent;
  const text = Array.isArray(header) ? header[0] : header;
  return typeof text === 'string' && text !== '' ? (parseTraceParent(text) ?? undefined) : undefined;
}

/**
 * Span and trace ids when tracing is off, from a block of the system's random bytes read 4 KiB at a time: a call to
 * `randomBytes` for every request's ids cost more than the rest of the span handling together.
 */
const pool = Buffer.alloc(4096);
let taken = pool.length;
function randomHex(bytes: number): string {
  if (taken + bytes > pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  taken += bytes;
  return pool.toString('hex', taken - bytes, taken);
}

/**
 * The span as it is, or, when tracing is off (the API's no-op tracer), a non-recording one that still has ids: the
 * caller's trace id (a fresh one when the request came without `traceparent`) and a span id of this service's own.
 * It travels on in the subgraph fetches' `traceparent`, so one request's log lines share a trace id everywhere.
 */
function withIds(span: Span, parent: Context): Span {
  const own = span.spanContext();
  const caller = trace.getSpanContext(parent);
  if (span.isRecording() || (trace.isSpanContextValid(own) && own.spanId !== caller?.spanId)) return span;
  return idsOnly(caller);
}

const endNothing = (): void => {};

/** A non-recording span of this service's own: the caller's trace id (or a fresh one) and a fresh span id. */
function idsOnly(caller: SpanContext | undefined): Span {
  return trace.wrapSpanContext({
    traceId: caller && trace.isSpanContextValid(caller) ? caller.traceId : randomHex(16),
    spanId: randomHex(8),
    traceFlags: caller?.traceFlags ?? TraceFlags.NONE,
  });
}

/**
 * Runs `work` under a span of `spanTracer`, made the active span only when it records. A span that records nothing
 * (no provider registered, or not sampled) carries its parent's ids, so making it active would change no header and
 * no log line; it would only cost a context switch per call (the gateway opens one per request and one per fetch).
 */
export async function inRecordingSpan<T>(spanTracer: Tracer, name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  const span = spanTracer.startSpan(name, options);
  if (!span.isRecording()) {
    span.end();
    return work();
  }
  try {
    return await context.with(trace.setSpan(context.active(), span), work);
  } finally {
    span.end();
  }
}
