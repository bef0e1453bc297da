import type { Language } from '@jab/contracts';

export interface Rendered {
  subject: string;
  body: string;
}

type Catalogue = Record<Language, (vars: { firstName: string }) => Rendered>;

/** The welcome message, in every language a citizen can choose. */
const welcome: Catalogue = {
  en: ({ firstName }) => ({
    subject: 'Welcome to Jab',
    body: `Hello ${firstName}, you are registered for vaccination. You can now book an appointment.`,
  }),
  es: ({ firstName }) => ({
    subject: 'Bienvenido a Jab',
    body: `Hola ${firstName}, ya está registrado para la vacunación. Ahora puede reservar una cita.`,
  }),
  fr: ({ firstName }) => ({
    subject: 'Bienvenue sur Jab',
    body: `Bonjour ${firstName}, vous êtes inscrit pour la vaccination. Vous pouvez maintenant prendre rendez-vous.`,
  }),
  hi: ({ firstName }) => ({
    subject: 'Jab में आपका स्वागत है',
    body: `नमस्ते ${firstName}, आप टीकाकरण के लिए पंजीकृत हैं। अब आप अपॉइंटमेंट बुक कर सकते हैं।`,
  }),
  ar: ({ firstName }) => ({
    subject: 'مرحبًا بك في Jab',
    body: `مرحبًا ${firstName}، لقد تم تسجيلك للتطعيم. يمكنك الآن حجز موعد.`,
  }),
};

export const TEMPLATES = { welcome } as const;
export type TemplateName = keyof typeof TEMPLATES;

export function render(template: TemplateName, language: Language, vars: { firstName: string }): Rendered {
  return TEMPLATES[template][language](vars);
}
