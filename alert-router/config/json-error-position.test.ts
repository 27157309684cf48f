import { describe, expect, it } from 'vitest';
import { firstInvalidOffset, jsonErrorPosition } from './json-error-position.js';

const positionOf = (text: string) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonErrorPosition(text, error);
  }
  throw new Error(`${text} is JSON`);
};

describe('JSON error position', () => {
  it.each(['{"a":1,}', '[1 2]', '{"a":1} x', '{"a":"x\ny"}', '{"a" 1}', '{a:1}', '"\\x"', '[1,\n  -]', '{"a":\n  [tru]}', '01'])(
    'stops where V8 does when V8 says where: %j',
    (text) => {
      let v8: number | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        const m = / at position (\d+)/.exec((error as Error).message);
        v8 = m === null ? undefined : Number(m[1]);
      }
      if (v8 !== undefined) expect(firstInvalidOffset(text)).toBe(v8);
      else expect(firstInvalidOffset(text)).toBeDefined();
    },
  );

  it.each(['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]} ', '"x"', '0'])('finds nothing wrong in JSON: %j', (text) => {
    expect(firstInvalidOffset(text)).toBeUndefined();
  });

  const cases = [
    { input: '', expected: { message: 'Unexpected end of JSON input', line: 1, column: 1 } },
    { input: '{\n  "a": [1,\n', expected: { message: 'Unexpected end of JSON input', line: 3, column: 1 } },
    { input: '{\n  "a": [1,]\n}', expected: { message: "Unexpected token ']'", line: 2, column: 11 } },
    { input: '{\n  "a" 1\n}', expected: { message: "Expected ':' after property name", line: 2, column: 7 } },
  ];
  it.each(cases)('gives the line and column of $input', ({ input, expected }) => {
    expect(positionOf(input)).toEqual(expected);
  });
});
