import type { Language } from '@jab/contracts';

/**
 * Every message Jab sends, in ICU MessageFormat. Named formats: `day` and `clock` show an
 * instant in the center's time zone; `calendar` shows a calendar date (UTC, as given).
 * No apostrophe may precede `{` (ICU quoting): French uses ’.
 */
export interface Text {
  subject: string;
  body: string;
}

/** What each template needs; dates travel as ISO strings and are listed in `DATE_PARAMS`. */
export interface TemplateParams {
  welcome: { firstName: string };
  otp: { code: string; minutes: number };
  booking_confirmed: { center: string; address: string; startsAt: string; timeZone: string; code: string; doseNumber: number; vaccine: string };
  appointment_cancelled: { center: string; startsAt: string; timeZone: string };
  appointment_rescheduled: {
    center: string;
    address: string;
    startsAt: string;
    previousStartsAt: string;
    timeZone: string;
    code: string;
  };
  reminder_24h: { center: string; address: string; startsAt: string; timeZone: string; code: string };
  reminder_2h: { center: string; address: string; startsAt: string; timeZone: string; code: string };
  second_dose_due: { vaccine: string; doseNumber: number; dueDate: string };
  certificate_ready: { issuedAt: string };
  lot_recalled: { vaccine: string; lotNumber: string; administeredAt: string };
}
export type TemplateName = keyof TemplateParams;

export const DATE_PARAMS = ['startsAt', 'previousStartsAt', 'dueDate', 'issuedAt', 'administeredAt'] as const;

/** English is complete by type; another language may lag behind and falls back to English. */
export type Catalogue = { [T in TemplateName]: { en: Text } & Partial<Record<Exclude<Language, 'en'>, Text>> };

export const CATALOGUE: Catalogue = {
  welcome: {
    en: { subject: 'Welcome to Jab', body: 'Hello {firstName}, you are registered for vaccination. You can now book an appointment.' },
    es: { subject: 'Bienvenido a Jab', body: 'Hola {firstName}, ya está registrado para la vacunación. Ahora puede reservar una cita.' },
    fr: { subject: 'Bienvenue sur Jab', body: 'Bonjour {firstName}, vous êtes inscrit pour la vaccination. Vous pouvez maintenant prendre rendez-vous.' },
    hi: { subject: 'Jab में आपका स्वागत है', body: 'नमस्ते {firstName}, आप टीकाकरण के लिए पंजीकृत हैं। अब आप अपॉइंटमेंट बुक कर सकते हैं।' },
    ar: { subject: 'مرحبًا بك في Jab', body: 'مرحبًا {firstName}، لقد تم تسجيلك للتطعيم. يمكنك الآن حجز موعد.' },
  },
  otp: {
    en: { subject: 'Your Jab code', body: 'Your Jab sign-in code is {code}. It expires in {minutes, plural, one {# minute} other {# minutes}}. Never share it.' },
    es: { subject: 'Su código de Jab', body: 'Su código de acceso a Jab es {code}. Caduca en {minutes, plural, one {# minuto} other {# minutos}}. No lo comparta con nadie.' },
    fr: { subject: 'Votre code Jab', body: 'Votre code de connexion Jab est {code}. Il expire dans {minutes, plural, one {# minute} other {# minutes}}. Ne le communiquez à personne.' },
    hi: { subject: 'आपका Jab कोड', body: 'आपका Jab साइन-इन कोड {code} है। यह {minutes, plural, one {# मिनट} other {# मिनट}} में समाप्त हो जाएगा। इसे किसी के साथ साझा न करें।' },
    ar: {
      subject: 'رمز Jab الخاص بك',
      body: 'رمز تسجيل الدخول إلى Jab هو {code}. تنتهي صلاحيته خلال {minutes, plural, one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}. لا تشاركه مع أحد.',
    },
  },
  booking_confirmed: {
    en: { subject: 'Your vaccination appointment is booked', body: 'Dose {doseNumber} of {vaccine}: {startsAt, date, day} at {startsAt, time, clock}, {center}, {address}. Show this code at the center: {code}.' },
    es: { subject: 'Su cita de vacunación está reservada', body: 'Dosis {doseNumber} de {vaccine}: {startsAt, date, day} a las {startsAt, time, clock}, {center}, {address}. Muestre este código en el centro: {code}.' },
    fr: { subject: 'Votre rendez-vous de vaccination est confirmé', body: 'Dose {doseNumber} de {vaccine} : {startsAt, date, day} à {startsAt, time, clock}, {center}, {address}. Présentez ce code au centre : {code}.' },
    hi: { subject: 'आपका टीकाकरण अपॉइंटमेंट बुक हो गया है', body: '{vaccine} की खुराक {doseNumber}: {startsAt, date, day}, {startsAt, time, clock}, {center}, {address}। केंद्र पर यह कोड दिखाएँ: {code}।' },
    ar: { subject: 'تم حجز موعد التطعيم', body: 'الجرعة {doseNumber} من {vaccine}: {startsAt, date, day} الساعة {startsAt, time, clock}، {center}، {address}. أظهر هذا الرمز في المركز: {code}.' },
  },
  appointment_cancelled: {
    en: { subject: 'Your appointment was cancelled', body: 'Your appointment at {center} on {startsAt, date, day} at {startsAt, time, clock} was cancelled. You can book a new one in Jab.' },
    es: { subject: 'Su cita fue cancelada', body: 'Su cita en {center} el {startsAt, date, day} a las {startsAt, time, clock} fue cancelada. Puede reservar otra en Jab.' },
    fr: { subject: 'Votre rendez-vous a été annulé', body: 'Votre rendez-vous à {center} le {startsAt, date, day} à {startsAt, time, clock} a été annulé. Vous pouvez en prendre un nouveau sur Jab.' },
    hi: { subject: 'आपका अपॉइंटमेंट रद्द कर दिया गया', body: '{center} में {startsAt, date, day}, {startsAt, time, clock} का आपका अपॉइंटमेंट रद्द कर दिया गया है। आप Jab में नया अपॉइंटमेंट बुक कर सकते हैं।' },
    ar: { subject: 'تم إلغاء موعدك', body: 'تم إلغاء موعدك في {center} يوم {startsAt, date, day} الساعة {startsAt, time, clock}. يمكنك حجز موعد جديد في Jab.' },
  },
  appointment_rescheduled: {
    en: { subject: 'Your appointment was moved', body: 'Your appointment moved from {previousStartsAt, date, day} {previousStartsAt, time, clock} to {startsAt, date, day} at {startsAt, time, clock}, {center}, {address}. Your code is still {code}.' },
    es: { subject: 'Su cita fue cambiada', body: 'Su cita pasó del {previousStartsAt, date, day} {previousStartsAt, time, clock} al {startsAt, date, day} a las {startsAt, time, clock}, {center}, {address}. Su código sigue siendo {code}.' },
    fr: { subject: 'Votre rendez-vous a été déplacé', body: 'Votre rendez-vous du {previousStartsAt, date, day} {previousStartsAt, time, clock} est déplacé au {startsAt, date, day} à {startsAt, time, clock}, {center}, {address}. Votre code reste {code}.' },
    hi: { subject: 'आपका अपॉइंटमेंट बदल दिया गया', body: 'आपका अपॉइंटमेंट {previousStartsAt, date, day} {previousStartsAt, time, clock} से बदलकर {startsAt, date, day}, {startsAt, time, clock} कर दिया गया है, {center}, {address}। आपका कोड अब भी {code} है।' },
    ar: { subject: 'تم تغيير موعدك', body: 'تم نقل موعدك من {previousStartsAt, date, day} {previousStartsAt, time, clock} إلى {startsAt, date, day} الساعة {startsAt, time, clock}، {center}، {address}. رمزك لا يزال {code}.' },
  },
  reminder_24h: {
    en: { subject: 'Reminder: your vaccination is tomorrow', body: 'Your appointment is on {startsAt, date, day} at {startsAt, time, clock} at {center}, {address}. Your code: {code}.' },
    es: { subject: 'Recordatorio: su vacunación es mañana', body: 'Su cita es el {startsAt, date, day} a las {startsAt, time, clock} en {center}, {address}. Su código: {code}.' },
    fr: { subject: 'Rappel : votre vaccination a lieu demain', body: 'Votre rendez-vous est le {startsAt, date, day} à {startsAt, time, clock} à {center}, {address}. Votre code : {code}.' },
    hi: { subject: 'अनुस्मारक: आपका टीकाकरण कल है', body: 'आपका अपॉइंटमेंट {startsAt, date, day}, {startsAt, time, clock} को {center}, {address} में है। आपका कोड: {code}।' },
    ar: { subject: 'تذكير: موعد تطعيمك غدًا', body: 'موعدك يوم {startsAt, date, day} الساعة {startsAt, time, clock} في {center}، {address}. رمزك: {code}.' },
  },
  reminder_2h: {
    en: { subject: 'Your vaccination is in 2 hours', body: 'See you at {startsAt, time, clock} at {center}, {address}. Your code: {code}.' },
    es: { subject: 'Su vacunación es dentro de 2 horas', body: 'Le esperamos a las {startsAt, time, clock} en {center}, {address}. Su código: {code}.' },
    fr: { subject: 'Votre vaccination a lieu dans 2 heures', body: 'Rendez-vous à {startsAt, time, clock} à {center}, {address}. Votre code : {code}.' },
    hi: { subject: 'आपका टीकाकरण 2 घंटे में है', body: '{startsAt, time, clock} पर {center}, {address} में मिलते हैं। आपका कोड: {code}।' },
    ar: { subject: 'موعد تطعيمك بعد ساعتين', body: 'نراك الساعة {startsAt, time, clock} في {center}، {address}. رمزك: {code}.' },
  },
  second_dose_due: {
    en: { subject: 'Your next dose is due', body: 'You can get dose {doseNumber} of {vaccine} from {dueDate, date, calendar}. Book your appointment in Jab.' },
    es: { subject: 'Le toca la siguiente dosis', body: 'Puede recibir la dosis {doseNumber} de {vaccine} a partir del {dueDate, date, calendar}. Reserve su cita en Jab.' },
    fr: { subject: 'Votre prochaine dose est due', body: 'Vous pouvez recevoir la dose {doseNumber} de {vaccine} à partir du {dueDate, date, calendar}. Prenez rendez-vous sur Jab.' },
    hi: { subject: 'आपकी अगली खुराक का समय आ गया है', body: 'आप {dueDate, date, calendar} से {vaccine} की खुराक {doseNumber} ले सकते हैं। Jab में अपना अपॉइंटमेंट बुक करें।' },
    ar: { subject: 'حان موعد جرعتك التالية', body: 'يمكنك الحصول على الجرعة {doseNumber} من {vaccine} ابتداءً من {dueDate, date, calendar}. احجز موعدك في Jab.' },
  },
  certificate_ready: {
    en: { subject: 'Your vaccination certificate is ready', body: 'Your vaccination certificate issued on {issuedAt, date, calendar} is ready. Open Jab to download it.' },
    es: { subject: 'Su certificado de vacunación está listo', body: 'Su certificado de vacunación emitido el {issuedAt, date, calendar} está listo. Abra Jab para descargarlo.' },
    fr: { subject: 'Votre certificat de vaccination est prêt', body: 'Votre certificat de vaccination émis le {issuedAt, date, calendar} est prêt. Ouvrez Jab pour le télécharger.' },
    hi: { subject: 'आपका टीकाकरण प्रमाणपत्र तैयार है', body: '{issuedAt, date, calendar} को जारी आपका टीकाकरण प्रमाणपत्र तैयार है। इसे डाउनलोड करने के लिए Jab खोलें।' },
    ar: { subject: 'شهادة التطعيم جاهزة', body: 'شهادة التطعيم الصادرة في {issuedAt, date, calendar} جاهزة. افتح Jab لتنزيلها.' },
  },
  lot_recalled: {
    en: { subject: 'Important: a vaccine lot was recalled', body: 'The {vaccine} lot {lotNumber} you received on {administeredAt, date, calendar} has been recalled. Please contact your vaccination center or book a check-up in Jab.' },
    es: { subject: 'Importante: se ha retirado un lote de vacunas', body: 'El lote {lotNumber} de {vaccine} que recibió el {administeredAt, date, calendar} ha sido retirado. Contacte con su centro de vacunación o reserve una revisión en Jab.' },
    fr: { subject: 'Important : un lot de vaccin a été rappelé', body: 'Le lot {lotNumber} de {vaccine} que vous avez reçu le {administeredAt, date, calendar} a été rappelé. Contactez votre centre de vaccination ou prenez rendez-vous pour un contrôle sur Jab.' },
    hi: { subject: 'महत्वपूर्ण: एक वैक्सीन लॉट वापस लिया गया', body: '{administeredAt, date, calendar} को आपको लगाया गया {vaccine} का लॉट {lotNumber} वापस ले लिया गया है। कृपया अपने टीकाकरण केंद्र से संपर्क करें या Jab में जाँच बुक करें।' },
    ar: { subject: 'هام: تم سحب دفعة لقاح', body: 'تم سحب الدفعة {lotNumber} من {vaccine} التي تلقيتها في {administeredAt, date, calendar}. يرجى التواصل مع مركز التطعيم أو حجز فحص في Jab.' },
  },
};
