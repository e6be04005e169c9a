import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from './command-line.js';

describe('parseCommandLine', () => {
  it('splits extended commands and forms', () => {
    const r = parseCommandLine('AT+CMEE=2;+CGMI;+CEREG?;+CFUN=?');
    assert.deepEqual(r, {
      ok: true,
      commands: [
        { kind: 'extended', name: '+CMEE', form: 'set', args: '2' },
        { kind: 'extended', name: '+CGMI', form: 'action', args: '' },
        { kind: 'extended', name: '+CEREG', form: 'read', args: '' },
        { kind: 'extended', name: '+CFUN', form: 'test', args: '' },
      ],
    });
  });

  it('keeps ; and blanks inside quoted strings', () => {
    const r = parseCommandLine('at+cgdcont=1,"IP","a;b c";+cgmi');
    assert.ok(r.ok);
    assert.deepEqual(r.commands[0], { kind: 'extended', name: '+CGDCONT', form: 'set', args: '1,"IP","a;b c"' });
    assert.equal(r.commands.length, 2);
  });

  it('parses basic commands back to back, S-registers and dial', () => {
    const r = parseCommandLine('ATE0V1&W0I9S3?S12=40');
    assert.ok(r.ok);
    assert.deepEqual(r.commands, [
      { kind: 'basic', name: 'E', value: 0, valueText: '0' },
      { kind: 'basic', name: 'V', value: 1, valueText: '1' },
      { kind: 'basic', name: '&W', value: 0, valueText: '0' },
      { kind: 'basic', name: 'I', value: 9, valueText: '9' },
      { kind: 'sreg', index: 3, form: 'read' },
      { kind: 'sreg', index: 12, form: 'set', value: 40 },
    ]);
    assert.deepEqual(parseCommandLine('ATD*99#'), { ok: true, commands: [{ kind: 'dial', dialString: '*99#' }] });
  });

  it('accepts Telit and Quectel names', () => {
    const r = parseCommandLine('AT#SSLEN=1,1;+QSSLCFG?');
    assert.ok(r.ok);
    assert.equal(r.commands[0]!.kind === 'extended' && r.commands[0]!.name, '#SSLEN');
  });

  it('reports syntax errors', () => {
    assert.equal(parseCommandLine('AT+CMEE="2').ok, false);
    assert.equal(parseCommandLine('AT+CGMI?x').ok, false);
    assert.equal(parseCommandLine('AT!!').ok, false);
    assert.equal(parseCommandLine('XY').ok, false);
    assert.deepEqual(parseCommandLine('AT'), { ok: true, commands: [] });
  });
});
