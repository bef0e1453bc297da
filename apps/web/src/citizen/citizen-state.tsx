import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Appointment, Registration } from './citizen.api';

/** A change the person just made, announced once on the screen it leads to. */
export interface Notice {
  text: string;
  /** The screen that shows it; leaving that screen drops it. */
  path: string;
}

/** How the person reached an appointment's screen: the heading says what just happened. */
export type AppointmentOutcome = 'booked' | 'moved' | 'cancelled';

interface CitizenState {
  /** The registration just made without an account (for its confirmation screen). */
  registration: Registration | undefined;
  setRegistration: (registration: Registration | undefined) => void;
  /** The appointment just booked or moved, so its confirmation shows without another request. */
  recent: { appointment: Appointment; outcome: AppointmentOutcome } | undefined;
  setRecent: (recent: { appointment: Appointment; outcome: AppointmentOutcome } | undefined) => void;
  notice: Notice | undefined;
  notify: (text: string, path: string) => void;
  dismiss: () => void;
}

const Context = createContext<CitizenState | undefined>(undefined);

export function CitizenStateProvider({ children }: { children: ReactNode }) {
  const [registration, setRegistration] = useState<Registration>();
  const [recent, setRecent] = useState<CitizenState['recent']>();
  const [notice, setNotice] = useState<Notice>();
  const notify = useCallback((text: string, path: string) => setNotice({ text, path }), []);
  const dismiss = useCallback(() => setNotice(undefined), []);
  const value = useMemo(
    () => ({ registration, setRegistration, recent, setRecent, notice, notify, dismiss }),
    [registration, recent, notice, notify, dismiss],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useCitizenState(): CitizenState {
  const state = useContext(Context);
  if (!state) throw new Error('useCitizenState outside <CitizenStateProvider>');
  return state;
}
