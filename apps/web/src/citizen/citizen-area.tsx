import { useEffect, useState } from 'react';
import type { Registration } from './citizen.api';
import { Confirmation } from './confirmation';
import { RegisterForm } from './register-form';

export function CitizenArea() {
  const [registration, setRegistration] = useState<Registration>();

  // After a screen change, put focus on its heading so assistive tech announces where the user is.
  useEffect(() => {
    if (registration) document.getElementById('confirmation-title')?.focus();
  }, [registration]);

  return (
    <section aria-labelledby="citizen-title">
      <h1 id="citizen-title">Citizen portal</h1>
      {registration ? (
        <Confirmation registration={registration} />
      ) : (
        <RegisterForm onRegistered={setRegistration} />
      )}
    </section>
  );
}

export default CitizenArea;
