import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitParams, validateParams, type ParamSpec } from './params.js';

describe('splitParams', () => {
  it('handles quotes with commas, omitted and trailing parameters', () => {
    assert.deepEqual(splitParams('1,"a,b",,x'), [
      { kind: 'bare', text: '1' },
      { kind: 'string', value: 'a,b' },
      { kind: 'omitted' },
      { kind: 'bare', text: 'x' },
    ]);
    assert.deepEqual(splitParams('1,'), [{ kind: 'bare', text: '1' }, { kind: 'omitted' }]);
    assert.deepEqual(splitParams(''), []);
    assert.equal(splitParams('"abc'), null);
    assert.equal(splitParams('"abc"x'), null);
  });
});

describe('validateParams', () => {
  const specs: ParamSpec[] = [
    { name: 'cid', type: 'int', min: 0, max: 11 },
    { name: 'type', type: 'string', optional: true, maxLength: 6 },
    { name: 'n', type: 'int', values: [0, 1, 4], optional: true, default: 1 },
  ];
  it('yields typed values with defaults', () => {
    assert.deepEqual(validateParams(splitParams('3,"IP"')!, specs), { ok: true, values: { cid: 3, type: 'IP', n: 1 } });
  });
  it('names what is wrong', () => {
    assert.deepEqual(validateParams(splitParams('12')!, specs), { ok: false, reason: 'range', param: 'cid' });
    assert.deepEqual(validateParams(splitParams('"3"')!, specs), { ok: false, reason: 'syntax', param: 'cid' });
    assert.deepEqual(validateParams(splitParams(',"IP"')!, specs), { ok: false, reason: 'missing', param: 'cid' });
    assert.deepEqual(validateParams(splitParams('1,"IPV4V6X"')!, specs), { ok: false, reason: 'too-long', param: 'type' });
    assert.deepEqual(validateParams(splitParams('1,"IP",2')!, specs), { ok: false, reason: 'range', param: 'n' });
    assert.deepEqual(validateParams(splitParams('1,"IP",1,5')!, specs), { ok: false, reason: 'too-many' });
    assert.deepEqual(validateParams(splitParams('1,IP')!, specs), { ok: false, reason: 'syntax', param: 'type' });
  });
});
