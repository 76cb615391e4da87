/** `useCan('operator')`: whether the logged-in role may do something (re-renders when the role is known). */
import type { Role } from '../api/types';
import { can } from '../lib/roles';
import { useStore } from './index';

export function useCan(needed: Role): boolean {
  return useStore((s) => can(s.me, needed));
}
