import { fireEvent, screen, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch } from '../testing/render';
import { CitizenArea } from './citizen-area';
import { TOKENS, problem } from './test-fixtures';

const bodyOf = (init: RequestInit | undefined) => JSON.parse(String(init?.body)) as unknown;

async function askForCode(address = 'zoe@example.org') {
  fireEvent.change(await screen.findByLabelText('Email address'), { target: { value: address } });
  fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
}

describe('citizen sign-in by one-time code', { timeout: 20_000 }, () => {
  it('sends a code, refuses a wrong one next to the field, then signs in with the right one', async () => {
    const calls = stubFetch((url, init) => {
      if (url === '/api/registration/v1/otp-requests') return json(202, { expiresInSeconds: 600 });
      if (url === '/api/registration/v1/sessions') {
        const { code } = bodyOf(init) as { code: string };
        return code === '123456' ? json(201, TOKENS) : json(401, problem(401, 'The code is wrong or has expired; request a new one.'), 'application/problem+json');
      }
      return json(404, problem(404, 'Not Found'));
    });
    await renderWithApp(<CitizenArea />, { path: '/sign-in', language: 'fr' });
    // The page is in French: the code goes out in French too.
    fireEvent.change(await screen.findByLabelText('Adresse e-mail'), { target: { value: ' zoe@example.org ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Envoyez-moi un code' }));

    const codeField = await screen.findByLabelText('Code à 6 chiffres');
    expect(screen.getByText(/Nous avons envoyé un code à zoe@example\.org\. Il expire dans 10 minutes\./)).toBeTruthy();
    expect(bodyOf(calls[0]?.init)).toEqual({ contact: { channel: 'email', address: 'zoe@example.org' }, preferredLanguage: 'fr' });

    fireEvent.change(codeField, { target: { value: '654321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Se connecter' }));
    const error = await screen.findByText('Ce code est faux ou a expiré. Vérifiez-le et réessayez, ou demandez un nouveau code.');
    expect(error.id).toBe('sign-in-code-error');
    expect(codeField.getAttribute('aria-invalid')).toBe('true');
    expect((codeField as HTMLInputElement).value).toBe('');

    fireEvent.change(codeField, { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Se connecter' }));
    expect(await screen.findByRole('heading', { name: 'Votre portail de vaccination' })).toBeTruthy();
    const sessions = calls.filter((c) => c.url === '/api/registration/v1/sessions');
    expect(sessions.map((c) => bodyOf(c.init))).toEqual([
      { contact: { channel: 'email', address: 'zoe@example.org' }, code: '654321' },
      { contact: { channel: 'email', address: 'zoe@example.org' }, code: '123456' },
    ]);
  });

  it('checks the contact with the contract before sending anything', async () => {
    const calls = stubFetch(() => json(202, { expiresInSeconds: 600 }));
    await renderWithApp(<CitizenArea />, { path: '/sign-in' });
    fireEvent.click(await screen.findByRole('radio', { name: 'SMS' }));
    fireEvent.change(screen.getByLabelText('Mobile number'), { target: { value: '0612345678' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    expect(await screen.findByText('Enter the mobile number in international format, like +919812345678.')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('says how long to wait when the service rate-limits code requests', async () => {
    stubFetch(() => new Response(JSON.stringify(problem(429, 'Too many attempts; try again later.')), { status: 429, headers: { 'content-type': 'application/problem+json', 'retry-after': '42' } }));
    await renderWithApp(<CitizenArea />, { path: '/sign-in' });
    await askForCode();
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Too many attempts. Please wait 42 seconds and try again.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send me a code' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('signs out: the refresh token is revoked and the start page shows again', async () => {
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    await renderWithApp(<CitizenArea />, { path: '/', citizen: TOKENS });
    expect(await screen.findByRole('heading', { name: 'Your vaccination portal' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Register for vaccination' })).toBeTruthy();
    expect(screen.getByText('You are signed out.').getAttribute('role')).toBe('status');
    const logout = calls.find((c) => c.url === '/api/registration/v1/sessions/logout');
    expect(bodyOf(logout?.init)).toEqual({ refreshToken: TOKENS.refreshToken });
  });

  it('asks a signed-out visitor to sign in on a household screen, then shows it', async () => {
    stubFetch((url) => {
      if (url === '/api/registration/v1/otp-requests') return json(202, { expiresInSeconds: 300 });
      if (url === '/api/registration/v1/sessions') return json(201, TOKENS);
      if (url === '/api/notifications/v1/messages') return json(200, { items: [] });
      return json(404, problem(404, 'Not Found'));
    });
    await renderWithApp(<CitizenArea />, { path: '/messages' });
    await askForCode();
    fireEvent.change(await screen.findByLabelText('6-digit code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Your messages' })).toBeTruthy();
    expect(await screen.findByText('No messages yet.')).toBeTruthy();
  });
});
