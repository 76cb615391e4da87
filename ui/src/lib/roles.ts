/** What a role may do, as the server's route table says (docs/security.md): the UI hides what would be 403. */
import type { Me, Role } from '../api/types';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Edit flows (admin), run them (operator), read content (admin); false until the role is known. */
export function can(me: Me | null, needed: Role): boolean {
  return me !== null && RANK[me.role] >= RANK[needed];
}
