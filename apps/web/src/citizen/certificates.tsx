import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { LoadState, useLoad } from '../shared/async';
import { formatDate, formatDateTime } from '../shared/format';
import { useCitizenRequest } from '../shared/session';
import { getCertificate, listCertificates, listHousehold, type Certificate } from './citizen.api';

const svgDataUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/** The household's certificates (one per dose given), newest first. */
export function CertificatesPage() {
  const { t, i18n } = useTranslation('citizen');
  const request = useCitizenRequest();
  const state = useLoad(async (signal) => {
    const [certificates, people] = await Promise.all([listCertificates(request, signal), listHousehold(request, signal)]);
    return { certificates, people };
  }, [request]);
  return (
    <section aria-labelledby="certificates-title">
      <h1 id="certificates-title" tabIndex={-1}>
        {t('certificates.title')}
      </h1>
      <p>{t('certificates.intro')}</p>
      <LoadState state={state}>
        {({ certificates, people }) =>
          certificates.length === 0 ? (
            <p>{t('certificates.none')}</p>
          ) : (
            <ul className="card-list" aria-labelledby="certificates-title">
              {certificates.map((c) => {
                const person = people.find((p) => p.id === c.registrantId)?.fullName ?? '';
                return (
                  <li key={c.id}>
                    <h2 className="card-title">{person}</h2>
                    <dl className="facts">
                      <dt>{t('certificates.vaccine')}</dt>
                      <dd>{t('appointment.vaccineDose', { vaccine: c.vaccineName, n: c.doseNumber })}</dd>
                      <dt>{t('certificates.given')}</dt>
                      <dd>{formatDate(c.administeredAt, i18n.language)}</dd>
                    </dl>
                    {c.revoked && <p className="error">{t('certificates.revoked')}</p>}
                    <Link href={`/certificates/${c.id}`} aria-label={t('certificates.showFor', { person, n: c.doseNumber, vaccine: c.vaccineName })}>
                      {t('certificates.show')}
                    </Link>
                  </li>
                );
              })}
            </ul>
          )
        }
      </LoadState>
    </section>
  );
}

/** The QR code as an SVG document: the service's own when it sends one, else drawn here. */
function useQrImages(certificate: Certificate): { svg: string | undefined; png: string | undefined; failed: boolean } {
  const [svg, setSvg] = useState<string | undefined>(certificate.qrSvg || undefined);
  const [png, setPng] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    import('./qr').then(
      async (qr) => {
        if (!certificate.qrSvg) {
          try {
            const drawn = await qr.qrSvg(certificate.qr);
            if (live) setSvg(drawn);
          } catch {
            if (live) setFailed(true);
          }
        }
        // A PNG needs a canvas; without one (very old browsers) the SVG download remains.
        qr.qrPng(certificate.qr).then(
          (url) => live && setPng(url),
          () => undefined,
        );
      },
      () => live && !certificate.qrSvg && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [certificate.qr, certificate.qrSvg]);
  return { svg, png, failed };
}

function CertificateCard({ certificate, person }: { certificate: Certificate; person: string }) {
  const { t, i18n } = useTranslation('citizen');
  const { svg, png, failed } = useQrImages(certificate);
  // The file a wallet app imports: the SMART Health Card's JWS, as the spec packages it.
  const cardFile = `data:application/smart-health-card;charset=utf-8,${encodeURIComponent(JSON.stringify({ verifiableCredential: [certificate.jws] }))}`;
  const name = `certificate-${certificate.id}`;
  return (
    <section aria-labelledby="certificate-title">
      <p>
        <Link href="/certificates">{t('certificates.back')}</Link>
      </p>
      <h1 id="certificate-title" tabIndex={-1}>
        {t('certificates.one')}
      </h1>
      {certificate.revoked && (
        <div className="error-panel" role="note">
          <p>{t('certificates.revokedLong')}</p>
          {certificate.replacedBy && <Link href={`/certificates/${certificate.replacedBy}`}>{t('certificates.replacement')}</Link>}
        </div>
      )}
      <dl className="facts citizen-card">
        <dt>{t('appointment.person')}</dt>
        <dd>{person}</dd>
        <dt>{t('certificates.vaccine')}</dt>
        <dd>{t('appointment.vaccineDose', { vaccine: certificate.vaccineName, n: certificate.doseNumber })}</dd>
        <dt>{t('certificates.given')}</dt>
        <dd>{formatDate(certificate.administeredAt, i18n.language)}</dd>
        <dt>{t('certificates.issued')}</dt>
        <dd>{formatDateTime(certificate.issuedAt, i18n.language)}</dd>
      </dl>
      <figure className="qr citizen-card">
        {svg ? (
          <img src={svgDataUrl(svg)} alt={t('certificates.qrAlt', { person })} width={320} height={320} />
        ) : failed ? (
          <p role="alert" className="error">
            {t('certificates.qrFailed')}
          </p>
        ) : (
          <p role="status">{t('certificates.qrDrawing')}</p>
        )}
        <figcaption>{t('certificates.qrCaption')}</figcaption>
      </figure>
      <h2>{t('certificates.downloads')}</h2>
      <ul className="downloads">
        {svg && (
          <li>
            <a href={svgDataUrl(svg)} download={`${name}.svg`}>
              {t('certificates.downloadSvg')}
            </a>
          </li>
        )}
        {png && (
          <li>
            <a href={png} download={`${name}.png`}>
              {t('certificates.downloadPng')}
            </a>
          </li>
        )}
        <li>
          <a href={cardFile} download={`${name}.smart-health-card`}>
            {t('certificates.downloadCard')}
          </a>
        </li>
      </ul>
    </section>
  );
}

/** One certificate: its QR code to show or download, and the health card file. */
export function CertificatePage({ id }: { id: string }) {
  const request = useCitizenRequest();
  const state = useLoad(async (signal) => {
    const [certificate, people] = await Promise.all([getCertificate(request, id, signal), listHousehold(request, signal)]);
    return { certificate, person: people.find((p) => p.id === certificate.registrantId)?.fullName ?? '' };
  }, [id, request]);
  return <LoadState state={state}>{({ certificate, person }) => <CertificateCard key={certificate.id} certificate={certificate} person={person} />}</LoadState>;
}
