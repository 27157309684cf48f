import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, type AgentOptions } from 'node:https';

/** The part of Node's `http.Agent` that every request passes through; public but untyped in @types/node. */
interface AgentWithAddRequest {
  addRequest(request: ClientRequest, options: unknown): void;
}

/**
 * An HTTPS agent that shows each response's status line to `onResponse` before the HTTP client
 * that made the request sees it. Libraries that hide responses (pdjs retries 429 itself, and
 * rejects without a status when an error body is not JSON) can then still be classified, or
 * stopped with an abort signal before they act on a response.
 */
export class ResponseWatchingAgent extends Agent {
  constructor(options: AgentOptions, onResponse: (response: IncomingMessage) => void) {
    super(options);
    const addRequest = (Agent.prototype as unknown as AgentWithAddRequest).addRequest;
    (this as unknown as AgentWithAddRequest).addRequest = (request, requestOptions) => {
      request.once('response', onResponse);
      addRequest.call(this, request, requestOptions);
    };
  }
}
