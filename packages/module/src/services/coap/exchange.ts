import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '@modemlab/at';
import { blockSize, decodeBlock, encodeBlock, type Block } from './block.js';
import { codeClass, Method, Opt, optionOf, Signal, type CoapMessage, type CoapMethod, type CoapOption, uintOption } from './message.js';
import type { CoapTransport } from './transport.js';

/** RFC 7252 §4.8 transmission parameters, on the module clock. */
export const ACK_TIMEOUT_MS = 2000;
export const MAX_RETRANSMIT = 4;
/** MAX_TRANSMIT_WAIT (93 s): how long a request waits for its response, from its first send. */
export const RESPONSE_TIMEOUT_MS = 93_000;
/** 2.31 Continue: the server wants the next Block1 block. */
const CONTINUE = (2 << 5) | 31;

export type CoapFailureReason = 'timeout' | 'reset' | 'closed' | 'protocol' | 'security';

export class CoapFailure extends Error {
  constructor(readonly reason: CoapFailureReason, message: string) {
    super(message);
  }
}

export interface CoapRequest {
  method: CoapMethod;
  /** Uri-*, Content-Format...: everything but the block options. */
  options: CoapOption[];
  payload: Buffer;
  confirmable: boolean;
  /** Upload in Block1 blocks of 2^(szx+4) bytes when the payload is larger than one. */
  block1Szx?: number;
  /** Ask for Block2 blocks of this size from the first request on. */
  block2Szx?: number;
  /** The token (an observation's, RFC 7641 §3.1); a fresh random one otherwise. */
  token?: Buffer;
}

/** One response message (one Block2 block of a larger body). */
export interface CoapReply {
  code: number;
  options: CoapOption[];
  payload: Buffer;
  /** More Block2 blocks follow. */
  more: boolean;
}

/**
 * Runs requests over one transport: confirmable retransmission with exponential back-off
 * (ACK_TIMEOUT doubled, MAX_RETRANSMIT times; no random factor, so a test on a manual clock
 * knows each instant), empty ACKs for separate responses, RST, and block-wise transfer
 * (RFC 7959) both ways. On a reliable transport (RFC 8323) it sends its CSM first and
 * answers Ping with Pong; there are no types, message IDs or retransmissions.
 */
export class CoapExchanger {
  private nextMid = randomBytes(2).readUInt16BE(0);
  private pending?: { mid: number; token: Buffer; acked?: boolean; settle: (m: CoapMessage | CoapFailure) => void };
  private closed = false;
  /**
   * Observations (RFC 7641) by token: a message with that token outside a pending exchange
   * is a notification. A CON notification for no observation gets a RST (§3.6).
   */
  readonly observers = new Map<string, (m: CoapMessage) => void>();
  /** Heard after a notification nobody observes was rejected. */
  onRejected?: () => void;

  constructor(private readonly transport: CoapTransport, private readonly clock: Clock) {
    transport.on('message', (m) => this.onMessage(m));
    transport.on('close', (security) => {
      this.closed = true;
      this.pending?.settle(security ? new CoapFailure('security', 'a TLS alert ended the connection') : new CoapFailure('closed', 'the server closed the connection'));
    });
    if (transport.reliable) transport.send(signal(Signal.csm));
  }

  /** Runs a request to its last block; `onReply` hears every response message in order. */
  async request(req: CoapRequest, onReply: (r: CoapReply) => void): Promise<CoapReply> {
    let block1: Block | undefined;
    const size1 = req.block1Szx === undefined ? Infinity : blockSize(req.block1Szx);
    if (req.payload.length > size1) block1 = { num: 0, more: true, szx: req.block1Szx! };
    let offset = 0;
    // One token for the whole block-wise transfer: servers (the coap npm one) key their
    // reassembly by it.
    const token = req.token ?? randomBytes(4);
    // Upload: one block after the other until the server has it all.
    for (;;) {
      const options = [...req.options];
      let payload = req.payload;
      if (block1) {
        const size = blockSize(block1.szx);
        payload = req.payload.subarray(offset, offset + size);
        block1.more = offset + size < req.payload.length;
        options.push({ number: Opt.block1, value: encodeBlock(block1) });
        if (block1.num === 0) options.push({ number: Opt.size1, value: uintOption(req.payload.length) });
      }
      if (req.block2Szx !== undefined && (!block1 || !block1.more)) options.push({ number: Opt.block2, value: encodeBlock({ num: 0, more: false, szx: req.block2Szx }) });
      const reply = await this.send(Method[req.method], options, payload, req.confirmable, token);
      if (!block1 || !block1.more) return this.download(req, reply, onReply, token);
      if (reply.code !== CONTINUE) {
        // The server refused a block (4.08, 4.13...): that is its answer.
        return this.download(req, reply, onReply, token);
      }
      const echoed = optionOf(reply, Opt.block1);
      const size = blockSize(block1.szx);
      offset += size;
      // Late negotiation (RFC 7959 §2.5): the server may ask for smaller blocks.
      const szx = echoed ? Math.min(decodeBlock(echoed).szx, block1.szx) : block1.szx;
      block1 = { num: offset / blockSize(szx), more: true, szx };
    }
  }

  close(): void {
    this.closed = true;
    this.pending?.settle(new CoapFailure('closed', 'closed'));
    this.transport.close();
  }

  /** Follows Block2 until the last block. */
  private async download(req: CoapRequest, first: CoapMessage, onReply: (r: CoapReply) => void, token: Buffer): Promise<CoapReply> {
    let reply = first;
    for (;;) {
      const b2 = optionOf(reply, Opt.block2);
      const block = b2 && codeClass(reply.code) === 2 ? decodeBlock(b2) : undefined;
      const out: CoapReply = { code: reply.code, options: reply.options, payload: reply.payload, more: block?.more ?? false };
      onReply(out);
      if (!block?.more) return out;
      // Later blocks of a notification are not observations of their own (RFC 7959 §3.4).
      const options = req.options.filter((o) => o.number !== Opt.contentFormat && o.number !== Opt.observe);
      options.push({ number: Opt.block2, value: encodeBlock({ num: block.num + 1, more: false, szx: block.szx }) });
      // The body is fetched with GET-like repeats of the request without its payload (RFC 7959 §2.4).
      reply = await this.send(req.method === 'GET' ? Method.GET : Method[req.method], options, Buffer.alloc(0), req.confirmable, token);
    }
  }

  /** One request message to its response message. */
  private send(code: number, options: CoapOption[], payload: Buffer, confirmable: boolean, token: Buffer): Promise<CoapMessage> {
    if (this.closed) return Promise.reject(new CoapFailure('closed', 'the connection is closed'));
    if (this.pending) return Promise.reject(new CoapFailure('protocol', 'one request at a time'));
    const mid = this.nextMid;
    this.nextMid = (this.nextMid + 1) & 0xffff;
    const message: CoapMessage = {
      type: confirmable ? 'CON' : 'NON',
      code,
      messageId: mid,
      token,
      options: [...options].sort((a, b) => a.number - b.number),
      payload,
    };
    return new Promise<CoapMessage>((resolve, reject) => {
      const timers: TimerHandle[] = [];
      const settle = (m: CoapMessage | CoapFailure) => {
        if (this.pending?.mid !== mid) return;
        this.pending = undefined;
        for (const t of timers) t.cancel();
        if (m instanceof CoapFailure) reject(m);
        else resolve(m);
      };
      this.pending = { mid, token: message.token, settle };
      this.transport.send(message);
      timers.push(this.clock.setTimeout(() => settle(new CoapFailure('timeout', 'no response')), RESPONSE_TIMEOUT_MS));
      if (confirmable && !this.transport.reliable) this.retransmit(message, timers, ACK_TIMEOUT_MS, 0);
    });
  }

  private retransmit(message: CoapMessage, timers: TimerHandle[], waitMs: number, count: number): void {
    timers.push(
      this.clock.setTimeout(() => {
        const p = this.pending;
        if (!p || p.mid !== message.messageId || p.acked) return;
        if (count === MAX_RETRANSMIT) return p.settle(new CoapFailure('timeout', 'no acknowledgement'));
        this.transport.send(message);
        this.retransmit(message, timers, waitMs * 2, count + 1);
      }, waitMs),
    );
  }

  private onMessage(m: CoapMessage): void {
    if (this.transport.reliable) {
      if (m.code === Signal.ping) this.transport.send({ ...signal(Signal.pong), token: m.token });
      if (m.code === Signal.abort) this.close();
      if (m.code >= Signal.csm) return;
      if (this.pending && m.token.equals(this.pending.token)) this.pending.settle(m);
      else this.observers.get(m.token.toString('hex'))?.(m);
      return;
    }
    const p = this.pending;
    if (m.type === 'RST') {
      if (p && m.messageId === p.mid) p.settle(new CoapFailure('reset', 'the server reset the request'));
      return;
    }
    // A piggybacked answer carries our message ID; a separate one only our token.
    const answer = p !== undefined && m.code !== 0 && m.token.equals(p.token) && (m.type !== 'ACK' || m.messageId === p.mid);
    // A notification may even come typed ACK (the coap npm server marks those after a NON
    // registration so): any non-empty message with an observation's token that answers nothing.
    const observer = answer || m.code === 0 ? undefined : this.observers.get(m.token.toString('hex'));
    // A separate response comes confirmable: acknowledge it whether or not it is still wanted,
    // except a notification nobody observes, which is rejected, CON or NON (RFC 7641 §3.6).
    const unwanted = m.type === 'CON' ? m.code === 0 || (!answer && !observer && optionOf(m, Opt.observe) !== undefined) : m.type === 'NON' && !answer && !observer && optionOf(m, Opt.observe) !== undefined;
    if (m.type === 'CON' || unwanted) {
      this.transport.send({ type: unwanted ? 'RST' : 'ACK', code: 0, messageId: m.messageId, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) });
      if (unwanted && m.code !== 0) this.onRejected?.();
    }
    if (observer) return observer(m);
    if (!p) return;
    if (m.type === 'ACK' && m.code === 0) {
      if (m.messageId === p.mid) p.acked = true; // the response comes later
      return;
    }
    if (answer) p.settle(m);
  }
}

function signal(code: number): CoapMessage {
  return { type: 'CON', code, messageId: 0, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) };
}
