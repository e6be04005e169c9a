/** Who a request was authenticated as (apart from route-def.ts, so the auth services need not import the route table). */
export interface AccountPrincipal {
  accountId: string;
  keyId: string;
  sessionId: string;
  role: 'customer' | 'factory';
}

export interface ModulePrincipal {
  /** Uppercase hex, 16 chars. */
  rotUid: string;
  /** The request's counter, already accepted (strictly above every earlier one). */
  counter: number;
}
