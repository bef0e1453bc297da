import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import App from './app/app';
import { setupI18n } from './shared/i18n';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

const i18n = await setupI18n();
createRoot(container).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
