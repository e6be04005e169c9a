import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePredefined } from './predefined.js';

describe('mqttsn-gateway predefined topics file', () => {
  it('reads {"id": "topic"}', () => {
    assert.deepEqual([...parsePredefined('{"1": "a/b", "65534": "c"}')], [[1, 'a/b'], [65534, 'c']]);
  });
  for (const [name, text] of [
    ['not JSON', '{'],
    ['an array', '["a"]'],
    ['id 0 (reserved)', '{"0": "a"}'],
    ['id 65535 (reserved)', '{"65535": "a"}'],
    ['a non-numeric id', '{"x": "a"}'],
    ['an empty topic', '{"1": ""}'],
    ['a wildcard topic', '{"1": "a/#"}'],
    ['a non-string topic', '{"1": 3}'],
  ] as const) {
    it(`refuses ${name}`, () => assert.throws(() => parsePredefined(text), /predefined topics/));
  }
});
