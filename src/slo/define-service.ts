import type { ServiceInput } from './types.js';

/**
 * Declares a service and its SLOs. The function exists for its type: passing the literal straight
 * in gets TypeScript's excess-property checks, so a misspelt field or a wrong SLI shape is a compile
 * error in the editor. Files are validated again at load time (resolveServices) for the rest.
 *
 * @example
 * export default defineService({
 *   name: 'checkout', description: 'Takes payment', owner: { team: 'payments', slack: '#payments' },
 *   slos: [{ name: 'availability', objective: 99.9,
 *     sli: { kind: 'ratio', errors: (w) => `sum(rate(http_requests_total{job="checkout",code=~"5.."}[${w}]))`,
 *            total: (w) => `sum(rate(http_requests_total{job="checkout"}[${w}]))` } }],
 * });
 */
export function defineService(service: ServiceInput): ServiceInput {
  return service;
}
