import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { type AnswerHeaders, endToEnd } from './answer-headers';

/**
 * Streams one upstream answer into the client's response, on undici's dispatch
 * interface (no promise, stream wrapper or AbortSignal per request): headers
 * are written as they arrive, body chunks with backpressure both ways, and a
 * client that goes away aborts the upstream request.
 */
export class ProxyHandler implements Dispatcher.DispatchHandler {
  readonly #res: ServerResponse;
  readonly #headers: AnswerHeaders | undefined;
  readonly #done: (error: Error | null, clientGone: boolean) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #ended = false;
  #clientGone = false;
  readonly #onClientClose: () => void;
  readonly #onDrain: () => void;

  /**
   * @param headers headers the gateway adds to the answer, unless they are set on `res` already
   * @param done called once: null when the answer was written, else the error (and whether the client left)
   */
  constructor(
    res: ServerResponse,
    headers: AnswerHeaders | undefined,
    done: (error: Error | null, clientGone: boolean) => void,
  ) {
    this.#res = res;
    this.#headers = headers;
    this.#done = done;
    // Assigned here, not as class fields: tsx names every arrow in a field (a defineProperty per request).
    this.#onClientClose = () => {
      if (this.#ended) return;
      this.#clientGone = true;
      this.#controller?.abort(new Error('the client closed the connection'));
    };
    this.#onDrain = () => {
      this.#controller?.resume();
    };
    res.once('close', this.#onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(new Error('the client closed the connection'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // Informational answers (103 Early Hints and the like) are not passed on.
    if (statusCode < 200) return;
    this.#res.writeHead(statusCode, this.#headers ? this.#headers.merge(headers) : endToEnd(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#res.write(chunk)) {
      controller.pause();
      this.#res.once('drain', this.#onDrain);
    }
  }

  onResponseEnd(): void {
    this.#finish(null);
    this.#res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#finish(error);
  }

  #finish(error: Error | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#res.off('close', this.#onClientClose);
    this.#res.off('drain', this.#onDrain);
    this.#done(error, this.#clientGone);
  }
}
