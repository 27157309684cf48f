import { describe, expect, it } from 'vitest';
import { labelMatchersError, promqlError, promqlSyntaxError, seriesSelectorError } from './promql.js';

// Every verdict below was checked against `promtool check rules` (Prometheus 2.42): what these
// functions accept promtool accepts, what they reject promtool rejects.

describe('promqlError', () => {
  it.each([
    'sum(rate(http_requests_total{job="checkout"}[5m]))',
    '(sum(rate(x{code=~"5.."}[5m])) or vector(0))',
    'clamp_min(sum(rate(x[5m])) - (sum(rate(y[5m])) or vector(0)), 0)',
    'sum(count_over_time(up[5m])) / 300',
    'max_over_time(sum(x)[5m:1m])',
    'max_over_time((a + b)[5m:1m])',
    'rate(x[5m]) [1h:] offset 1m',
    'rate(x[5m] offset 1m)',
    'rate(x[5m] @ 10)',
    'x offset 1m @ 10',
    'a + b offset 5m',
    '-b offset 5m',
    '1 - x offset 5m > bool 0',
    'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))',
    'topk(3, x)',
    'count_values("v", x)',
    'label_join(x, "a", "b", "c", "d")',
    'round(x)',
    'hour()',
    'sum(rate(x[5m])) by (a) / ignoring(b) group_left sum(y)',
    'SUM(x)',
    '{job!=""}',
  ])('accepts %s', (expr) => {
    expect(promqlError(expr)).toBeUndefined();
  });

  it.each([
    {
      input: 'sum(rate(x{job="checkout"}))[5m]',
      expected: { offset: 28, message: 'is invalid (ranges only allowed for vector selectors: put the range on the selector' },
    },
    { input: '(x)[5m]', expected: { offset: 3, message: 'ranges only allowed for vector selectors' } },
    { input: 'x offset 1m [5m]', expected: { offset: 12, message: 'offset and @ go after the range' } },
    { input: 'x @ 10 [5m]', expected: { offset: 7, message: 'offset and @ go after the range' } },
    { input: 'rate(x)', expected: { offset: 5, message: 'rate() needs a range vector here, not an instant vector' } },
    { input: 'sum(x[5m])', expected: { offset: 4, message: 'sum() aggregates an instant vector, not a range vector' } },
    { input: 'x[5m][10m:]', expected: { offset: 5, message: 'a subquery [range:step] needs an instant vector, not a range vector' } },
    { input: 'sum(x) offset 5m', expected: { offset: 7, message: 'offset may follow only a selector, a range or a subquery' } },
    { input: 'x offset 1m offset 2m', expected: { offset: 12, message: 'and only once' } },
    { input: 'a + rate(b[5m]) offset 1m', expected: { offset: 16, message: 'offset may follow only' } },
    { input: 'x + y[5m]', expected: { offset: 4, message: 'binary expression must contain only scalar and instant vector types, not a range vector' } },
    { input: 'max_over_time(a + b[5m:])', expected: { offset: 18, message: 'binary expression must contain only scalar and instant vector types' } },
    { input: '-x[5m]', expected: { offset: 0, message: 'a sign applies to a scalar or an instant vector, not a range vector' } },
    { input: '1 > 2', expected: { offset: 2, message: 'comparisons between scalars must use bool' } },
    { input: 'x + bool y', expected: { offset: 2, message: 'bool goes only after a comparison' } },
    { input: 'sum(x) or 0', expected: { offset: 7, message: '"or" needs instant vectors on both sides' } },
    { input: 'sum(x, 1)', expected: { offset: 0, message: 'sum() takes 1 argument, got 2' } },
    { input: 'topk(x, 3)', expected: { offset: 5, message: 'topk() needs a scalar first, not an instant vector' } },
    { input: 'round(x, 1, 2)', expected: { offset: 0, message: 'round() takes at most 2 arguments, got 3' } },
    { input: 'label_join(x, "a")', expected: { offset: 0, message: 'label_join() takes at least 3 arguments, got 2' } },
    { input: 'clamp_min(x, y)', expected: { offset: 13, message: 'clamp_min() needs a scalar here, not an instant vector' } },
    { input: 'sum(scalar(x))', expected: { offset: 4, message: 'sum() aggregates an instant vector, not a scalar' } },
    { input: '{job=""}', expected: { offset: 0, message: 'a selector needs a metric name or a matcher that does not match ""' } },
    { input: 'm{__name__="x"}', expected: { offset: 0, message: 'the metric name is set twice' } },
    { input: 'sum(rate(x[5m])', expected: { offset: 15, message: 'does not parse' } },
  ])('rejects $input at offset $expected.offset', ({ input, expected }) => {
    const problem = promqlError(input);
    expect(problem?.offset).toBe(expected.offset);
    expect(problem?.message).toContain(expected.message);
    expect(problem?.near).toBe(input.slice(Math.max(0, expected.offset - 10), expected.offset + 10));
  });

  it('requires the type the caller needs', () => {
    expect(promqlError('scalar(sum(x))', 'instant vector')?.message).toBe(
      'is invalid (it is a scalar; it must be an instant vector such as sum(rate(x[5m])))',
    );
    expect(promqlError('sum(rate(x[5m]))', 'instant vector')).toBeUndefined();
  });

  it('keeps reporting syntax errors as promqlSyntaxError finds them', () => {
    const expr = 'sum(rate(x[5m])';
    expect(promqlError(expr)).toEqual({ ...promqlSyntaxError(expr), message: 'does not parse' });
  });
});

describe('labelMatchersError', () => {
  it.each(['job="checkout", route!="/healthz"', '', 'job="}"', 'job=~"a|b"', 'le!="+Inf"'])('accepts %j', (text) => {
    expect(labelMatchersError(text)).toBeUndefined();
  });

  it.each([
    { input: 'job="a"} or up{x="y"', expected: { offset: 7, message: 'is invalid (a "}" closes the selector and more PromQL follows)' } },
    { input: 'job="a"} + on() up{x="y"', expected: { offset: 7, message: 'closes the selector' } },
    { input: 'job="a"}[5m', expected: { offset: 11, message: 'does not parse' } },
    { input: 'job', expected: { offset: 3, message: 'does not parse' } },
    { input: '__name__="x"', expected: { offset: 0, message: 'the metric name is set on its own' } },
    { input: 'job="a", "other_metric"', expected: { offset: 9, message: 'a quoted metric name is not a label matcher' } },
    { input: 'job=~"a|b", ', expected: { offset: 10, message: 'it ends with a comma' } },
  ])('rejects $input at offset $expected.offset', ({ input, expected }) => {
    const problem = labelMatchersError(input);
    expect(problem?.offset).toBe(expected.offset);
    expect(problem?.message).toContain(expected.message);
  });
});

describe('selectors that match every series, as promtool check rules judges them', () => {
  // Each verdict was taken from promtool 2.42 on count_over_time(<selector>[5m]).
  it.each(['{job=~".+"}', '{job!~""}', '{job=~".*",env="x"}'])('accepts %s', (selector) => {
    expect(seriesSelectorError(selector)).toBeUndefined();
  });

  it.each(['{job=~".*"}', '{job!~".+"}', '{job=~"a|"}', "{job=~'.*'}", '{job=~`.*`}', '{job=~".*",env!="x"}'])('rejects %s', (selector) => {
    expect(seriesSelectorError(selector)?.message).toContain('a selector needs a metric name or a matcher that does not match ""');
  });
});

describe('seriesSelectorError', () => {
  it.each(['probe_success', 'probe_success{job="blackbox"}', '{job="blackbox"}', '  up{job="a"}  '])('accepts %j', (text) => {
    expect(seriesSelectorError(text)).toBeUndefined();
  });

  it.each([
    { input: 'probe_success{job="a"} or up{x="y"}', expected: 'is more than a series selector' },
    { input: 'avg(up)', expected: 'is more than a series selector' },
    { input: 'up offset 5m', expected: 'is more than a series selector' },
    { input: 'up[5m]', expected: 'is more than a series selector' },
    { input: '{}', expected: 'a selector needs a metric name' },
    { input: '{job=""}', expected: 'a selector needs a metric name' },
    { input: 'up{', expected: 'does not parse' },
  ])('rejects $input', ({ input, expected }) => {
    expect(seriesSelectorError(input)?.message).toContain(expected);
  });
});
