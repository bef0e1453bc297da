import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch } from '../testing/render';
import { CitizenArea } from './citizen-area';
import { CENTER, LEO, TOKENS, ZOE, problem } from './test-fixtures';

const REG = '/api/registration/v1';

const message = (n: number, template: string, status: string) => ({
  id: `0193b6c2-0000-7000-8000-00000000000${n}`,
  template,
  channel: 'email',
  status,
  createdAt: '2030-05-01T10:00:00.000Z',
  sentAt: status === 'queued' ? null : '2030-05-01T10:00:05.000Z',
});

const CERTIFICATE = {
  id: '01900000-0000-7000-8000-0000000c0001',
  registrantId: ZOE.id,
  doseId: '01900000-0000-7000-8000-0000000d0001',
  doseNumber: 1,
  vaccineId: '01900000-0000-7000-8000-00000000d001',
  vaccineName: 'Jabvax',
  administeredAt: '2030-05-14T07:40:00.000Z',
  issuedAt: '2030-05-14T07:41:00.000Z',
  revoked: false,
  revokedAt: null,
  replacedBy: null,
  jws: 'eyJhbGciOiJFUzI1NiJ9.payload.signature',
  qr: 'shc:/5676295953265460346029',
  qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><path d="M0 0h7v7H0z"/></svg>',
};

describe('messages, certificates and the access log', { timeout: 20_000 }, () => {
  it('lists every message with its status, templates named in the reader’s language', async () => {
    stubFetch(() => json(200, { items: [message(1, 'booking_confirmed', 'delivered'), message(2, 'welcome', 'failed'), message(3, 'reminder_24h', 'queued')] }));
    await renderWithApp(<CitizenArea />, { path: '/messages', citizen: TOKENS, language: 'es' });
    const list = await screen.findByRole('list', { name: 'Sus mensajes' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => `${li.querySelector('span')?.textContent} ${li.querySelector('strong')?.textContent}`)).toEqual([
      'Confirmación de la cita por correo electrónico: entregado',
      'Mensaje de bienvenida por correo electrónico: fallido',
      'Recordatorio del día anterior por correo electrónico: en cola',
    ]);
  });

  it('shows the certificate’s QR code with its downloads', async () => {
    stubFetch((url) => {
      if (url === `${REG}/certificates`) return json(200, { items: [CERTIFICATE] });
      if (url === `${REG}/certificates/${CERTIFICATE.id}`) return json(200, CERTIFICATE);
      if (url === `${REG}/registrants`) return json(200, { items: [ZOE] });
      return json(404, problem(404, 'Not Found'));
    });
    await renderWithApp(<CitizenArea />, { path: '/certificates', citizen: TOKENS });
    fireEvent.click(await screen.findByRole('link', { name: `Show the certificate of ${ZOE.fullName}, Jabvax dose 1` }));

    const qr = await screen.findByRole('img', { name: `QR code of the vaccination certificate of ${ZOE.fullName}` });
    expect(decodeURIComponent(qr.getAttribute('src') ?? '')).toBe(`data:image/svg+xml;charset=utf-8,${CERTIFICATE.qrSvg}`);
    const svg = screen.getByRole('link', { name: 'QR code as an image (SVG)' });
    expect(svg.getAttribute('download')).toBe(`certificate-${CERTIFICATE.id}.svg`);
    const card = screen.getByRole('link', { name: 'Health card file (.smart-health-card)' });
    expect(JSON.parse(decodeURIComponent((card.getAttribute('href') ?? '').split(',').slice(1).join(',')))).toEqual({ verifiableCredential: [CERTIFICATE.jws] });
  });

  it('draws the QR code itself (numeric shc segment) when the service sends no image', async () => {
    stubFetch((url) => {
      if (url === `${REG}/certificates/${CERTIFICATE.id}`) return json(200, { ...CERTIFICATE, qrSvg: undefined });
      if (url === `${REG}/registrants`) return json(200, { items: [ZOE] });
      return json(404, problem(404, 'Not Found'));
    });
    await renderWithApp(<CitizenArea />, { path: `/certificates/${CERTIFICATE.id}`, citizen: TOKENS });
    const qr = await screen.findByRole('img', { name: `QR code of the vaccination certificate of ${ZOE.fullName}` }, { timeout: 10_000 });
    const drawn = decodeURIComponent(qr.getAttribute('src') ?? '');
    expect(drawn).toMatch(/^data:image\/svg\+xml;charset=utf-8,<svg/);
    expect(drawn).toContain('<path');
  });

  it('shows who opened each person’s record, by role and place, never by name', async () => {
    stubFetch((url) => {
      if (url === `${REG}/registrants`) return json(200, { items: [ZOE, LEO] });
      if (url === `${REG}/registrants/${ZOE.id}/access-log`)
        return json(200, { items: [{ action: 'check-in', role: 'staff', centerId: CENTER.id, region: 'FR-IDF', occurredAt: '2030-05-14T07:35:00.000Z' }] });
      if (url === `${REG}/registrants/${LEO.id}/access-log`) return json(200, { items: [] });
      if (url === `${REG}/centers/${CENTER.id}`) return json(200, CENTER);
      return json(404, problem(404, 'Not Found'));
    });
    await renderWithApp(<CitizenArea />, { path: '/access-log', citizen: TOKENS, language: 'fr' });
    const list = await screen.findByRole('list', { name: `Qui a consulté le dossier de ${ZOE.fullName}` });
    const entry = within(list).getByRole('listitem');
    expect(entry.textContent).toContain('Enregistrement à l’accueil');
    await waitFor(() => expect(entry.textContent).toContain('Par : personnel de vaccination, Centre de vaccination Hôtel de Ville'));

    fireEvent.change(screen.getByLabelText('Personne'), { target: { value: LEO.id } });
    expect(await screen.findByText(`Personne du service de vaccination n’a ouvert le dossier de ${LEO.fullName}.`)).toBeTruthy();
  });
});
