export { collectReview, type CollectDeps } from './collect-review.js';
export { createPrometheusClient, type PrometheusClient } from './prometheus-client.js';
export { createRouterClient, type RouterClient } from './router-client.js';
export { NoDataError, PeerQueryError, PeerUnreachableError } from './review-errors.js';
export { DAY_MS, HOUR_MS, PeriodError, isPeriodName, parseDate, periodName, periodLabel, previousPeriod, resolvePeriod, type ReviewPeriod } from './review-period.js';
export { renderHtml } from './render-html.js';
export { renderMarkdown } from './render-markdown.js';
export { verdictOf } from './summarize.js';
export type * from './review-model.js';
