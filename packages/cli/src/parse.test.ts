import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatHostPort,
  parseCount,
  parseHostPort,
  parseApns,
  parseForwards,
  parseGpioLevels,
  parseHosts,
  parseTermTarget,
  ptyPathFor,
  tcpPortFor,
} from './parse.js';

test('parseHostPort', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:7000'), { host: '127.0.0.1', port: 7000 });
  assert.deepEqual(parseHostPort('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseHostPort('localhost:65535'), { host: 'localhost', port: 65535 });
  assert.deepEqual(parseHostPort('[::1]:7000'), { host: '::1', port: 7000 });
  for (const bad of ['7000', ':7000', '127.0.0.1', '127.0.0.1:', 'h:70000', 'h:-1', 'h:7x', '::1:7000', 'a b:1', '[zz]:1']) {
    assert.throws(() => parseHostPort(bad), Error, bad);
  }
});

test('formatHostPort', () => {
  assert.equal(formatHostPort({ host: '127.0.0.1', port: 7000 }), '127.0.0.1:7000');
  assert.equal(formatHostPort({ host: '::1', port: 7000 }), '[::1]:7000');
});

test('parseHosts', () => {
  assert.deepEqual(parseHosts('broker.local=127.0.0.1'), { 'broker.local': '127.0.0.1' });
  assert.deepEqual(parseHosts('a=10.0.0.1, b=::1,'), { a: '10.0.0.1', b: '::1' });
  assert.deepEqual(parseHosts('b=10.0.0.2', { a: '10.0.0.1' }), { a: '10.0.0.1', b: '10.0.0.2' });
  assert.deepEqual(parseHosts('a=10.0.0.2', { a: '10.0.0.1' }), { a: '10.0.0.2' });
  for (const bad of ['', ',', 'a', '=1.2.3.4', 'a=', 'a=1.2.3', 'a=host', 'a b=1.2.3.4', '-a=1.2.3.4']) {
    assert.throws(() => parseHosts(bad), Error, bad);
  }
});

test('parseCount', () => {
  assert.equal(parseCount('1'), 1);
  assert.equal(parseCount('16'), 16);
  for (const bad of ['0', '-1', '1.5', 'x', '']) assert.throws(() => parseCount(bad), Error, bad);
});

test('parseTermTarget', () => {
  assert.deepEqual(parseTermTarget('tcp://127.0.0.1:7000'), { kind: 'tcp', host: '127.0.0.1', port: 7000 });
  assert.deepEqual(parseTermTarget('TCP://[::1]:7001/'), { kind: 'tcp', host: '::1', port: 7001 });
  assert.deepEqual(parseTermTarget('/tmp/ttyV0'), { kind: 'serial', path: '/tmp/ttyV0' });
  assert.throws(() => parseTermTarget('tcp://h:0'));
  assert.throws(() => parseTermTarget('udp://h:1'));
});

test('ptyPathFor and tcpPortFor', () => {
  assert.equal(ptyPathFor('/tmp/ttyV', 0, 1), '/tmp/ttyV');
  assert.equal(ptyPathFor('/tmp/ttyV', 0, 3), '/tmp/ttyV0');
  assert.equal(ptyPathFor('/tmp/ttyV', 2, 3), '/tmp/ttyV2');
  assert.equal(tcpPortFor(7000, 0), 7000);
  assert.equal(tcpPortFor(7000, 3), 7003);
  assert.equal(tcpPortFor(0, 3), 0);
  assert.throws(() => tcpPortFor(65535, 1));
});

test('parseForwards', () => {
  assert.deepEqual(parseForwards('127.0.0.2:443=127.0.0.1:8443'), { '127.0.0.2:443': '127.0.0.1:8443' });
  assert.deepEqual(parseForwards('10.0.0.1:80=127.0.0.1:8080', { '127.0.0.2:443': '127.0.0.1:8443' }), {
    '127.0.0.2:443': '127.0.0.1:8443',
    '10.0.0.1:80': '127.0.0.1:8080',
  });
  for (const bad of ['', '127.0.0.1:443', 'host:443=127.0.0.1:1', '127.0.0.1:0=127.0.0.1:1', '127.0.0.1:443=127.0.0.1:70000']) {
    assert.throws(() => parseForwards(bad), /expected/);
  }
});

test('parseApns', () => {
  assert.deepEqual(parseApns('internet'), ['internet']);
  assert.deepEqual(parseApns('a.b, iot-1 ,'), ['a.b', 'iot-1']);
  assert.deepEqual(parseApns('c,a', ['a', 'b']), ['a', 'b', 'c'], 'repeatable, no duplicates');
  assert.deepEqual(parseApns('*'), ['*']);
  for (const bad of ['', ',', 'a b', '-x', 'x.', 'a*', 'x'.repeat(101)]) {
    assert.throws(() => parseApns(bad), Error, bad);
  }
});

test('parseGpioLevels', () => {
  assert.deepEqual(parseGpioLevels('23=1, 16=0'), { 23: 1, 16: 0 });
  assert.deepEqual(parseGpioLevels('24=float', { 23: 1 }), { 23: 1, 24: null });
  for (const bad of ['23', '23=2', 'x=1', '23=1,', '1234=1']) assert.throws(() => parseGpioLevels(bad), /PIN=0\|1\|float/, bad);
});
