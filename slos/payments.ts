import { defineService } from '../src/slo/index.js';

/** Payments: authorises and captures cards through the payment provider. */
export default defineService({
  name: 'payments',
  description: 'Payment authorisation and capture (gRPC)',
  owner: { team: 'payments', slack: '#payments-alerts', pagerduty: 'PD_PAYMENTS' },
  slos: [
    {
      name: 'authorisations',
      description: 'Card authorisations that complete without an internal error',
      objective: 99.95,
      window: '28d',
      sli: {
        kind: 'ratio',
        good: 'sum(rate(grpc_server_handled_total{grpc_service="payments.Payments", grpc_method="Authorise", grpc_code!~"Internal|Unavailable|DeadlineExceeded|Unknown"}[{{.window}}]))',
        total: 'sum(rate(grpc_server_handled_total{grpc_service="payments.Payments", grpc_method="Authorise"}[{{.window}}]))',
      },
      runbookUrl: 'https://runbooks.example.com/payments/authorisations',
    },
  ],
});
