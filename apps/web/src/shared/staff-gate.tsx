import { useEffect, useRef, useState, type ReactNode } from 'react';
import { claimsOf, useSessions } from './session';
import { SignInForm } from './sign-in-form';

interface StaffGateProps {
  idPrefix: string;
  /** Roles that may use the area. */
  roles: readonly string[];
  /** Said after a 401 signed the person out (not after they signed out themselves). */
  endedText: string;
  /** Said when the signed-in role may not use the area. */
  wrongRoleText: string;
  children: (role: string, signOut: () => void) => ReactNode;
}

/**
 * The staff and admin areas' door: the sign-in form until someone with one of `roles`
 * is signed in, then the area. A session that ends by itself (any 401 signs out, see
 * `useStaffRequest`) is explained; signing out on purpose is not.
 */
export function StaffGate({ idPrefix, roles, endedText, wrongRoleText, children }: StaffGateProps) {
  const { staff, setStaff } = useSessions();
  const [ended, setEnded] = useState(false);
  const previous = useRef(staff);
  const leaving = useRef(false);

  useEffect(() => {
    if (previous.current && !staff && !leaving.current) setEnded(true);
    leaving.current = false;
    previous.current = staff;
  }, [staff]);

  const role = staff ? (claimsOf(staff.accessToken)?.role ?? staff.role) : '';
  if (staff && roles.includes(role)) {
    return children(role, () => {
      leaving.current = true;
      setStaff(undefined);
    });
  }
  return (
    <>
      {ended && (
        <p role="alert" className="notice">
          {endedText}
        </p>
      )}
      {staff && (
        <p role="alert" className="notice">
          {wrongRoleText}
        </p>
      )}
      <SignInForm
        idPrefix={idPrefix}
        onSignedIn={(session) => {
          setEnded(false);
          setStaff(session);
        }}
      />
    </>
  );
}
