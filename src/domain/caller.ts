/** Who is calling the gateway, as established from their bearer token. */
export const ROLES = ['user', 'business', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** The token's `sub`: a user id, a business account id or an admin id. */
  subject: string;
  role: Role;
  /** The business a `business` caller acts for; absent for other roles. */
  businessId?: string;
  scopes: string[];
  /**
   * The caller's raw bearer token. Forwarded only where a provider exchanges it for its own
   * session (PERS `POST /auth/token`); never logged or returned.
   */
  token: string;
}
