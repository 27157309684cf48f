import { defineService } from '../src/slo/index.js';

/** The public web shop, watched from outside by the blackbox exporter. */
export default defineService({
  name: 'storefront',
  description: 'The public web shop as customers reach it',
  owner: { team: 'web', slack: '#web-oncall', pagerduty: 'PD_WEB' },
  dependsOn: ['checkout', 'catalog'],
  slos: [
    {
      name: 'probe-availability',
      description: 'Blackbox probes of the home page that succeed',
      objective: 99.5,
      sli: { kind: 'boolGauge', selector: 'probe_success{job="blackbox", instance="https://shop.example.com/"}' },
      runbookUrl: 'https://runbooks.example.com/storefront/probe',
    },
  ],
});
