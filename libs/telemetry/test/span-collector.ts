import { core, tracing } from '@opentelemetry/sdk-node';

type ReadableSpan = tracing.ReadableSpan;

/** An in-memory exporter that can be awaited: `waitFor` resolves once exported spans satisfy a predicate. */
export class SpanCollector extends tracing.InMemorySpanExporter {
  #waiters: { predicate: (spans: ReadableSpan[]) => boolean; resolve: (spans: ReadableSpan[]) => void }[] =
    [];

  override export(spans: ReadableSpan[], resultCallback: (result: core.ExportResult) => void): void {
    super.export(spans, (result) => {
      resultCallback(result);
      if (result.code === core.ExportResultCode.SUCCESS) this.#check();
    });
  }

  /** Resolves with every finished span as soon as `predicate` holds for them. */
  waitFor(predicate: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
    return new Promise((resolve) => {
      this.#waiters.push({ predicate, resolve });
      this.#check();
    });
  }

  #check(): void {
    const spans = this.getFinishedSpans();
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.predicate(spans)) return true;
      waiter.resolve(spans);
      return false;
    });
  }
}
