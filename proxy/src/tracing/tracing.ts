// OpenTelemetry tracing of Trino traffic, when switched on: one span per statement submission and
// per poll (with the routing decision's group, cluster, rule and whether it queued), child spans for
// the decision (owner lookups in Redis), the owner write and the request to the cluster, and W3C
// `traceparent` sent to Trino so its spans join the gateway's. Off, nothing here is constructed.

import type { IncomingHttpHeaders } from 'node:http';
import type { TracingConfig } from '@junction/shared';
import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';

const PROPAGATOR = new W3CTraceContextPropagator();

/** What the routing decision chose, as span attributes. */
export interface RoutedAttributes {
  readonly group?: string | undefined;
  readonly cluster?: string | undefined;
  readonly routedBy?: string | undefined;
  readonly rule?: string | undefined;
  readonly queued: boolean;
}

/** The spans of one request; every method is cheap and never throws. */
export class RequestTrace {
  readonly #root: Span;
  readonly #context: Context;

  constructor(
    private readonly tracer: Tracer,
    name: string,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
  ) {
    const parent = PROPAGATOR.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    this.#root = tracer.startSpan(
      name,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } },
      parent,
    );
    this.#context = trace.setSpan(parent, this.#root);
  }

  /** A child span (the decision, the owner write); end it with `finish`. */
  child(name: string, attributes: Record<string, string> = {}): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, this.#context);
  }

  /** The request to the cluster: a client span, and the `traceparent` naming it for Trino. */
  upstream(cluster: string): { span: Span; headers: Record<string, string> } {
    const span = this.tracer.startSpan(
      'junction.upstream',
      { kind: SpanKind.CLIENT, attributes: { 'junction.cluster': cluster } },
      this.#context,
    );
    const headers: Record<string, string> = {};
    PROPAGATOR.inject(trace.setSpan(this.#context, span), headers, defaultTextMapSetter);
    return { span, headers };
  }

  routed(routed: RoutedAttributes): void {
    const attributes: Record<string, string | boolean> = { 'junction.queued': routed.queued };
    if (routed.group !== undefined) attributes['junction.routing_group'] = routed.group;
    if (routed.cluster !== undefined) attributes['junction.cluster'] = routed.cluster;
    if (routed.routedBy !== undefined) attributes['junction.routed_by'] = routed.routedBy;
    if (routed.rule !== undefined) attributes['junction.rule'] = routed.rule;
    this.#root.setAttributes(attributes);
  }

  queryId(id: string): void {
    this.#root.setAttribute('trino.query_id', id);
  }

  end(statusCode: number, error?: unknown): void {
    this.#root.setAttribute('http.response.status_code', statusCode);
    finish(this.#root, error ?? (statusCode >= 500 ? `HTTP ${statusCode}` : undefined));
  }
}

/** Ends `span`, marked as an error when `error` is given. */
export function finish(span: Span, error?: unknown): void {
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  span.end();
}

export class Tracing {
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;

  constructor(config: TracingConfig) {
    const exporter = new OTLPTraceExporter({ url: config.endpoint, headers: { ...config.headers } });
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: config.exportInterval })],
    });
    this.#tracer = this.#provider.getTracer('junction-proxy');
  }

  /** The tracer when tracing is on; undefined (and nothing constructed) when it is off. */
  static fromConfig(config: TracingConfig): Tracing | undefined {
    return config.enabled ? new Tracing(config) : undefined;
  }

  start(name: string, method: string, path: string, headers: IncomingHttpHeaders): RequestTrace {
    return new RequestTrace(this.#tracer, name, method, path, headers);
  }

  /** Exports what is buffered, then stops. */
  async close(): Promise<void> {
    await this.#provider.shutdown();
  }
}
