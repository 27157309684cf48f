import { resolveServices, type Service, type ServiceInput } from '../../src/slo/index.js';

/** A service `name` with one 99.9% availability SLO on `http_requests_total{job="<name>"}`. */
export function aRatioService(name: string): ServiceInput {
  return {
    name,
    description: `${name} service`,
    owner: { team: 'core' },
    slos: [
      {
        name: 'availability',
        objective: 99.9,
        sli: {
          kind: 'ratio',
          errors: `sum(rate(http_requests_total{job="${name}",code=~"5.."}[{{.window}}]))`,
          total: `sum(rate(http_requests_total{job="${name}"}[{{.window}}]))`,
        },
      },
    ],
  };
}

/** Resolved services of those names, each as {@link aRatioService}, from `slos/<name>.ts`. */
export const ratioServices = (...names: string[]): Service[] =>
  resolveServices(names.map((name) => ({ file: `slos/${name}.ts`, value: aRatioService(name) })));
