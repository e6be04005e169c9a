import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, OK, REGISTRATION_MS, ublox, urc } from './ublox.testutil.js';

const LOC = '"2B67","01A2D001",7';

describe('u-blox registration commands', () => {
  it('reads +COPS registered, searching and deregistered', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0'));
    await h.advance(REGISTRATION_MS);
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0,0,"Nutaq Cat-M1 Network",7'));
    assert.equal(await at(h, 'AT+COPS=3,2'), OK);
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0,2,"00101",7'));
    assert.equal(await at(h, 'AT+COPS=3,1'), OK);
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0,1,"Nutaq",7'));
    assert.equal(await at(h, 'AT+COPS=?'), answer('+COPS: (2,"Nutaq Cat-M1 Network","Nutaq","00101",7),,(0-4),(0-2)'));
    assert.equal(await at(h, 'AT+COPS=2'), OK);
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 2'));
    assert.equal(await at(h, 'AT+COPS=?'), answer('+COPS: (1,"Nutaq Cat-M1 Network","Nutaq","00101",7),,(0-4),(0-2)'));
    await h.close();
  });

  it('keeps +COPS=2 across a reboot and re-registers on +COPS=0', async () => {
    const h = await ublox();
    await at(h, 'AT+COPS=2');
    await at(h, 'AT+CFUN=16');
    await h.advance(3000 + REGISTRATION_MS);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 2'));
    assert.equal(await at(h, 'AT+COPS=0'), OK);
    await h.advance(REGISTRATION_MS);
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0,0,"Nutaq Cat-M1 Network",7'));
    await h.close();
  });

  it('selects manually only the network it sees', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+COPS=1,2,"00102"'), cmeError(30));
    assert.equal(await at(h, 'AT+COPS=1,2'), cmeError(50));
    assert.equal(await at(h, 'AT+COPS=5'), cmeError(50));
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0,0,"Nutaq Cat-M1 Network",7'));
    assert.equal(await at(h, 'AT+COPS=1,2,"00101"'), OK);
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 1,2,"00101",7'));
    assert.equal(await at(h, 'AT+COPS=4,0,"Elsewhere"'), OK, 'manual/automatic falls back');
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0,0,"Nutaq Cat-M1 Network",7'));
    await h.close();
  });

  it('lists nothing when the radio is off', async () => {
    const h = await ublox();
    await at(h, 'AT+CFUN=0');
    assert.equal(await at(h, 'AT+COPS=?'), answer('+COPS: ,,(0-4),(0-2)'));
    await h.close();
  });

  it('reads +CEREG in every mode', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CEREG?'), answer('+CEREG: 0,1'));
    assert.equal(await at(h, 'AT+CEREG=?'), answer('+CEREG: (0-5)'));
    for (const n of [1, 2, 3, 4, 5]) {
      await at(h, `AT+CEREG=${n}`);
      assert.equal(await at(h, 'AT+CEREG?'), answer(n === 1 ? '+CEREG: 1,1' : `+CEREG: ${n},1,${LOC}`));
    }
    await at(h, 'AT+CPSMS=1,,,"00000100","00001010"');
    assert.equal(await at(h, 'AT+CEREG?'), answer(`+CEREG: 5,1,${LOC},,,"00001010","00000100"`));
    await at(h, 'AT+CEREG=4');
    assert.equal(await at(h, 'AT+CEREG?'), answer(`+CEREG: 4,1,${LOC},,,"00001010","00000100"`));
    await at(h, 'AT+CEREG=3');
    assert.equal(await at(h, 'AT+CEREG?'), answer(`+CEREG: 3,1,${LOC}`));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CEREG=6'), cmeError(50));
    assert.equal(await at(h, 'AT+CEREG?'), answer(`+CEREG: 3,1,${LOC}`));
    await h.close();
  });

  it('reads +CREG and +CGREG', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CREG?'), answer('+CREG: 0,1'));
    assert.equal(await at(h, 'AT+CREG=2'), OK);
    assert.equal(await at(h, 'AT+CREG?'), answer(`+CREG: 2,1,${LOC}`));
    assert.equal(await at(h, 'AT+CGREG=1'), OK);
    assert.equal(await at(h, 'AT+CGREG?'), answer('+CGREG: 1,1'));
    assert.equal(await at(h, 'AT+CREG=?'), answer('+CREG: (0-2)'));
    assert.equal(await at(h, 'AT+CGREG=?'), answer('+CGREG: (0-2)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CREG=3'), cmeError(50));
    await h.close();
  });

  it('sends registration URCs per terminal mode', async () => {
    const h = await ublox();
    await at(h, 'AT+CEREG=2');
    await at(h, 'AT+CREG=1');
    assert.equal(await at(h, 'AT+CFUN=0'), OK + urc('+CREG: 0', '+CEREG: 0'));
    assert.equal(await at(h, 'AT+CFUN=1'), OK + urc('+CREG: 2', '+CEREG: 2'));
    assert.equal(await h.advance(REGISTRATION_MS), urc('+CREG: 1', `+CEREG: 1,${LOC}`));
    await at(h, 'AT+CEREG=1');
    await at(h, 'AT+CREG=0');
    assert.equal(await at(h, 'AT+COPS=2'), OK + urc('+CEREG: 0'));
    await h.close();
  });

  it('renders each terminal in its own mode', async () => {
    const h = await ublox({ registered: false });
    const other: Buffer[] = [];
    const second = h.module.openTerminal((b) => other.push(b));
    second.input(Buffer.from('AT+CEREG=1\r'));
    await at(h, 'AT+CEREG=2');
    assert.equal(await h.advance(REGISTRATION_MS), urc(`+CEREG: 1,${LOC}`));
    assert.equal(Buffer.concat(other).toString('latin1'), `AT+CEREG=1\r${OK}${urc('+CEREG: 1')}`);
    h.module.closeTerminal(second);
    await h.close();
  });

  it('reports lost coverage through the lab API', async () => {
    const h = await ublox();
    await at(h, 'AT+CEREG=2');
    await at(h, 'AT+CSCON=1');
    h.module.services.network.setCoverage(false);
    assert.equal(await h.advance(0), urc('+CSCON: 0', '+CEREG: 2'));
    assert.equal(await at(h, 'AT+CEREG?'), answer('+CEREG: 2,2'));
    assert.equal(await at(h, 'AT+CEER'), answer('+CEER: "Lost radio coverage"'));
    assert.equal(await h.advance(60_000), '');
    h.module.services.network.setCoverage(true);
    assert.equal(await h.advance(REGISTRATION_MS), urc('+CSCON: 1', `+CEREG: 1,${LOC}`));
    await h.close();
  });

  it('reports the RRC state with +CSCON', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CSCON?'), answer('+CSCON: 0,0'));
    assert.equal(await at(h, 'AT+CSCON=?'), answer('+CSCON: (0,1)'));
    assert.equal(await at(h, 'AT+CSCON=1'), OK);
    assert.equal(await h.advance(REGISTRATION_MS), urc('+CSCON: 1'));
    assert.equal(await at(h, 'AT+CSCON?'), answer('+CSCON: 1,1'));
    assert.equal(await h.advance(9_999), '');
    assert.equal(await h.advance(1), urc('+CSCON: 0'));
    h.module.services.pdp.countBytes(1, 10, 0);
    assert.equal(await h.advance(0), urc('+CSCON: 1'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CSCON=2'), cmeError(50));
    await h.close();
  });

  it('explains the last registration change with +CEER', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CEER'), answer('+CEER: "No report available"'));
    await at(h, 'AT+CFUN=4');
    assert.equal(await at(h, 'AT+CEER'), answer('+CEER: "Detach due to MT functionality change"'));
    await at(h, 'AT+CFUN=1');
    await at(h, 'AT+COPS=2');
    assert.equal(await at(h, 'AT+CEER'), answer('+CEER: "Deregistration requested by the user"'));
    await h.close();
  });

  it('starts with registration URCs off after power-up', async () => {
    const h = await ModuleHarness.create();
    assert.equal(await h.advance(REGISTRATION_MS), '');
    await h.close();
  });
});
