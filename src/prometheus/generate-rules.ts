import {
  ALERT_LABELS,
  ANNOTATIONS,
  BASE_WINDOW,
  HOUR,
  alertName,
  dashboardUrl,
  formatDuration,
  groupName,
  identityLabelKeys,
  parseDuration,
  record,
  sortedRecord,
  type BurnTier,
  type IdentityLabelKeys,
  type Service,
  type Slo,
  type ThresholdBucket,
} from '../slo/index.js';
import type { AlertingRule, RecordingRule, Rule, RuleGroup, RuleOptions } from './rule-types.js';

/**
 * Rule groups for one service: one group per SLO holding, in evaluation order, its SLI recordings,
 * its meta recordings and its alerts. One group (rather than Sloth's three) means every rule reads
 * recordings made in the same evaluation: alerts never lag their SLIs by an interval.
 */
export function generateRuleGroups(service: Service, options: RuleOptions): RuleGroup[] {
  return service.slos.map((slo) => ({
    name: groupName(slo.id),
    ...(options.interval === undefined ? {} : { interval: options.interval }),
    rules: sloRules(service, slo, options),
  }));
}

function sloRules(service: Service, slo: Slo, options: RuleOptions): Rule[] {
  const keys = identityLabelKeys(options.labelStyle);
  const ctx: Ctx = { service, slo, options, keys, sel: `{${keys.id}="${slo.id}"}` };
  return [...sliRecordings(ctx), ...metaRecordings(ctx), ...alerts(ctx)];
}

interface Ctx {
  service: Service;
  slo: Slo;
  options: RuleOptions;
  keys: IdentityLabelKeys;
  /** Selector of this SLO's recordings. */
  sel: string;
}

/** Every window the SLO's rules need, shortest first: the base, each tier's two, and the period. */
export function sloWindows(slo: Slo): string[] {
  const ms = new Set<number>([parseDuration(BASE_WINDOW) ?? 0, slo.windowMs]);
  for (const tier of slo.tiers) {
    ms.add(tier.longMs);
    ms.add(tier.shortMs);
  }
  return [...ms].sort((a, b) => a - b).map(formatDuration);
}

function identity(ctx: Ctx): Record<string, string> {
  return {
    ...ctx.service.labels,
    ...ctx.slo.labels,
    [ctx.keys.id]: ctx.slo.id,
    [ctx.keys.service]: ctx.service.name,
    [ctx.keys.name]: ctx.slo.name,
  };
}

function rec(ctx: Ctx, name: string, expr: string, window?: string): RecordingRule {
  const labels = window === undefined ? identity(ctx) : { ...identity(ctx), [ctx.keys.window]: window };
  return { record: name, expr, labels: sortedRecord(labels) };
}

/** `num / den`, or 0 where `den` is 0: no traffic is not an outage, and never NaN. */
function zeroSafeRatio(num: string, den: string): string {
  return `${num} / (${den} > 0) or ${den} * 0`;
}

/**
 * As zeroSafeRatio, and absent when `num` is: a missing error series reads as no data
 * (SLOSLINoData watches the 5m ratio), never as a perfect SLI. For windows under 1h, whose sides are
 * one-sample lookups of recordings; the long windows read these 5m ones, so the 5m ratio's absence is
 * the signal and the long windows need not pay for `num` twice.
 */
function strictZeroSafeRatio(num: string, den: string): string {
  return `${num} / (${den} > 0) or (${num} * 0 and ${den})`;
}

function sliRecordings(ctx: Ctx): RecordingRule[] {
  const { slo, sel } = ctx;
  const windows = sloWindows(slo);
  const rules: RecordingRule[] = [];
  const sli = slo.sli;
  if (sli.kind === 'events') {
    if (ctx.options.formulation === 'raw') {
      // Textbook: every window from the source series, as Sloth writes it, but 0 rather than NaN
      // without traffic: clamping the denominator keeps it to one evaluation of the costly total.
      for (const w of windows) {
        rules.push(rec(ctx, record.errorRatio(w), `(${sli.errors(w)}) / clamp_min(${sli.total(w)}, 1e-300)`, w));
      }
      return rules;
    }
    for (const w of windows) {
      const wMs = parseDuration(w) ?? 0;
      if (wMs < HOUR) {
        rules.push(rec(ctx, record.errorRate(w), sli.errors(w), w));
        rules.push(rec(ctx, record.totalRate(w), sli.total(w), w));
        rules.push(rec(ctx, record.errorRatio(w), strictZeroSafeRatio(`${record.errorRate(w)}${sel}`, `${record.totalRate(w)}${sel}`), w));
      } else {
        // Event-weighted over the window: Σ error rates ÷ Σ total rates of the 5m recordings.
        const num = `sum_over_time(${record.errorRate(BASE_WINDOW)}${sel}[${w}])`;
        const den = `sum_over_time(${record.totalRate(BASE_WINDOW)}${sel}[${w}])`;
        rules.push(rec(ctx, record.errorRatio(w), zeroSafeRatio(num, den), w));
      }
    }
    return rules;
  }
  // A ratio-only SLI has no event counts: long windows are the time-average of the 5m ratio.
  for (const w of windows) {
    const wMs = parseDuration(w) ?? 0;
    if (wMs < HOUR || ctx.options.formulation === 'raw') {
      const q = sli.errorRatio(w);
      // NaN (a 0/0 inside the user's ratio) becomes 0; an absent series stays absent (no-data alert).
      rules.push(rec(ctx, record.errorRatio(w), `${q} >= 0 or count(${q}) * 0`, w));
    } else {
      rules.push(rec(ctx, record.errorRatio(w), `avg_over_time(${record.errorRatio(BASE_WINDOW)}${sel}[${w}])`, w));
    }
  }
  return rules;
}

function metaRecordings(ctx: Ctx): RecordingRule[] {
  const { slo, sel, keys } = ctx;
  const budget = num(slo.errorBudget);
  const info: RecordingRule = {
    record: record.info(ctx.options.labelStyle),
    expr: 'vector(1)',
    labels: sortedRecord({
      ...identity(ctx),
      [keys.window]: slo.window,
      [ctx.options.labelStyle === 'sloth' ? 'sloth_objective' : 'slo_objective']: String(slo.objective),
      [ctx.options.labelStyle === 'sloth' ? 'sloth_sli_kind' : 'slo_sli_kind']: slo.sli.kind === 'raw' ? 'raw' : slo.sli.source,
      // Sloth's `sloth_mode` names how the rules were generated, not the SLI: its CLI writes this value.
      ...(ctx.options.labelStyle === 'sloth' ? { sloth_mode: 'cli-gen-prom' } : {}),
      team: ctx.service.owner.team,
    }),
  };
  return [
    rec(ctx, record.objective, `vector(${num(slo.objective / 100)})`),
    rec(ctx, record.errorBudget, `vector(${budget})`),
    rec(ctx, record.timePeriodDays, `vector(${num(slo.windowMs / (24 * HOUR))})`),
    rec(ctx, record.currentBurnRate, `${record.errorRatio(BASE_WINDOW)}${sel} / ${budget}`, BASE_WINDOW),
    rec(ctx, record.periodBurnRate, `${record.errorRatio(slo.window)}${sel} / ${budget}`, slo.window),
    rec(ctx, record.periodErrorBudgetRemaining, `1 - ${record.periodBurnRate}${sel}`, slo.window),
    info,
  ];
}

/** A number as PromQL text, without binary noise (0.0009999999999999 → 0.001). */
function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** `max without (window) (ratio_rate<w>{sel} > threshold)`: the SLO's series with the window label dropped. */
function overThreshold(ctx: Ctx, window: string, threshold: string): string {
  return `max without (${ctx.keys.window}) (${record.errorRatio(window)}${ctx.sel} > ${threshold})`;
}

function tierExpr(ctx: Ctx, tier: BurnTier): string {
  const threshold = `(${num(tier.factor)} * ${num(ctx.slo.errorBudget)})`;
  return `(\n  ${overThreshold(ctx, tier.long, threshold)}\n  and\n  ${overThreshold(ctx, tier.short, threshold)}\n)`;
}

function alerts(ctx: Ctx): AlertingRule[] {
  const out: AlertingRule[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const options = ctx.slo[severity];
    const tiers = ctx.slo.tiers.filter((t) => t.severity === severity);
    if (options.disable || tiers.length === 0) continue;
    out.push({
      alert: alertName[severity],
      expr: tiers.map((t) => tierExpr(ctx, t)).join('\nor\n'),
      labels: sortedRecord({ ...options.labels, ...alertIdentity(ctx), [ALERT_LABELS.severity]: severity }),
      annotations: sortedRecord({ ...annotations(ctx, severity, tiers), ...options.annotations }),
    });
  }
  if (!ctx.slo.noData.disable) {
    // The 5m error ratio is absent when either its errors or its events are.
    out.push({
      alert: alertName.noData,
      expr: `absent(${record.errorRatio(BASE_WINDOW)}${ctx.sel})`,
      for: ctx.slo.noData.for,
      labels: dataTicketLabels(ctx),
      annotations: sortedRecord({
        ...links(ctx),
        [ANNOTATIONS.summary]: `${ctx.slo.id}: the SLI has had no data for ${ctx.slo.noData.for}`,
        [ANNOTATIONS.description]:
          `No samples for the SLI of ${ctx.service.name}/${ctx.slo.name} for ${ctx.slo.noData.for}: its error budget ` +
          `cannot be measured and its burn-rate alerts cannot fire. Check that the source metrics are scraped ` +
          `and that the recording rules are loaded.` +
          (ctx.slo.sli.kind === 'events' && ctx.slo.sli.source === 'latency'
            ? ` For this latency SLI, also check that the histogram has a bucket at its threshold (the le label of the SLO).`
            : ''),
      }),
    });
    const bucket = ctx.slo.sli.kind === 'events' ? ctx.slo.sli.thresholdBucket : undefined;
    if (bucket !== undefined) out.push(bucketMissingAlert(ctx, bucket));
  }
  return out;
}

/**
 * The ticket of a latency SLI whose threshold bucket some selected series lack: their requests are left
 * out of the SLI, which would otherwise have counted them all slow. It is part of the SLI's data missing,
 * so it waits `alerting.noData.for` (a rollout, a target's first scrapes) and is disabled with the
 * no-data alert.
 */
function bucketMissingAlert(ctx: Ctx, bucket: ThresholdBucket): AlertingRule {
  const { service, slo } = ctx;
  const threshold = `the ${bucket.le[0]}s threshold (${bucket.le.map((s) => `le="${s}"`).join(' or ')})`;
  const agree = (one: string, many: string) => `{{ if eq $value 1.0 }}${one}{{ else }}${many}{{ end }}`;
  return {
    alert: alertName.bucketMissing,
    expr: `count(${bucket.missing})`,
    for: slo.noData.for,
    labels: dataTicketLabels(ctx),
    annotations: sortedRecord({
      ...links(ctx),
      [ANNOTATIONS.summary]: `${slo.id}: {{ $value }} series of ${bucket.metric} ${agree('has', 'have')} no bucket at ${threshold}: the SLI leaves ${agree('it', 'them')} out`,
      [ANNOTATIONS.description]:
        `Some series of ${bucket.metric} that the SLI of ${service.name}/${slo.name} selects have a _count but no bucket at ` +
        `${threshold}: a histogram with other buckets (a changed bucket layout, an old client library, another job's ` +
        `histogram of the same name). The SLI counts only the series that have the bucket, so the requests of these ` +
        `are neither good nor slow to it and spend no error budget. List them with: ${bucket.missing}. Add the bucket ` +
        `to their histograms, or narrow the SLO's selector to leave them out.`,
    }),
  };
}

/**
 * Labels of a ticket about the SLI's data. Its expression (absent(), count()) keeps none of the source
 * series' labels: the service's and the SLO's own labels, which the burn-rate alerts carry from their
 * series, are set here so all of them route alike.
 */
function dataTicketLabels(ctx: Ctx): Record<string, string> {
  return sortedRecord({ ...ctx.service.labels, ...ctx.slo.labels, ...ctx.slo.ticket.labels, ...alertIdentity(ctx), [ALERT_LABELS.severity]: 'ticket' });
}

/** Labels every slokit alert carries whatever the label style: the alert-router keys on them. */
function alertIdentity(ctx: Ctx): Record<string, string> {
  return {
    [ALERT_LABELS.id]: ctx.slo.id,
    [ALERT_LABELS.service]: ctx.service.name,
    [ALERT_LABELS.name]: ctx.slo.name,
    [ALERT_LABELS.team]: ctx.service.owner.team,
  };
}

function links(ctx: Ctx): Record<string, string> {
  return {
    ...(ctx.slo.runbookUrl === undefined ? {} : { [ANNOTATIONS.runbook]: ctx.slo.runbookUrl }),
    [ANNOTATIONS.dashboard]: dashboardUrl(ctx.options.grafanaUrl, ctx.service.name, ctx.slo.name),
  };
}

/** Burn rate of one window as a template expression, "n/a" without data. */
function burnTemplate(ctx: Ctx, window: string): string {
  const q = `max(${record.errorRatio(window)}${ctx.sel}) / ${num(ctx.slo.errorBudget)}`;
  return `{{ with query \`${q}\` }}{{ . | first | value | printf "%.1f" }}×{{ else }}n/a{{ end }}`;
}

function annotations(ctx: Ctx, severity: 'page' | 'ticket', tiers: readonly BurnTier[]): Record<string, string> {
  const { slo, service } = ctx;
  const speed = severity === 'page' ? 'fast' : 'slowly but steadily';
  const lines = tiers.map((t) => {
    const firing = `{{ with query \`${oneLine(tierExpr(ctx, t))}\` }}FIRING{{ else }}ok{{ end }}`;
    return (
      `- ${num(t.budgetPercent)}% of the ${slo.window} budget in ${t.long} (threshold ${num(t.factor)}×): ` +
      `${t.long} ${burnTemplate(ctx, t.long)}, ${t.short} ${burnTemplate(ctx, t.short)}: ${firing}`
    );
  });
  return {
    ...links(ctx),
    [ANNOTATIONS.summary]: `${service.name}/${slo.name} is burning its error budget ${speed} (${severity})`,
    [ANNOTATIONS.description]: [
      `${service.name}/${slo.name} (objective ${slo.objective}% over ${slo.window}) is spending its error budget ` +
        `too ${severity === 'page' ? 'fast: at this rate it is gone within days' : 'steadily to last the window'}. ` +
        `Burn rates (1× spends the budget exactly over the window):`,
      ...lines,
    ].join('\n'),
  };
}

function oneLine(expr: string): string {
  return expr.replace(/\s*\n\s*/g, ' ');
}
