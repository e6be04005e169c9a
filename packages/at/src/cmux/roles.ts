/**
 * The C/R bit of the frame address (27.010 5.2.1.2) depends on which station started the
 * multiplexer (the initiator: the host that sent SABM on DLCI 0) and on whether the frame
 * is a command (SABM, DISC, UIH, UI) or a response (UA, DM).
 *
 * | frame    | initiator -> responder | responder -> initiator |
 * | command  | C/R = 1                | C/R = 0                |
 * | response | C/R = 0                | C/R = 1                |
 *
 * Receivers here accept either value: several host libraries get it wrong.
 */
import type { FrameTypeName } from './frame.js';

export type CmuxRole = 'initiator' | 'responder';

export function isResponseType(type: FrameTypeName): boolean {
  return type === 'UA' || type === 'DM';
}

/** The C/R bit a station in `role` puts on a frame of `type`. */
export function crBit(role: CmuxRole, type: FrameTypeName): boolean {
  return (role === 'initiator') !== isResponseType(type);
}
