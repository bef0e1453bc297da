import type { NotificationsConfig } from '../config.js';
import { createSinkChannel, type Channel, type ChannelKind } from './channel.js';
import { createEmailChannel } from './email.channel.js';
import { createSmsChannel } from './sms.channel.js';

export type Transports = Record<ChannelKind, Channel>;

/** The transport behind each kind of contact, as configured (`smtp|sink`, `sns|sink`). */
export function transportsFrom(config: NotificationsConfig): Transports {
  let sink: Channel | undefined;
  const sinkChannel = () => {
    if (!config.NOTIFY_SINK_DIR) throw new Error('NOTIFY_SINK_DIR is required while a transport is the sink');
    return (sink ??= createSinkChannel({ dir: config.NOTIFY_SINK_DIR, console: config.NOTIFY_SINK_CONSOLE }));
  };
  return {
    email:
      config.NOTIFY_EMAIL_TRANSPORT === 'smtp' && config.SMTP_URL
        ? createEmailChannel({ url: config.SMTP_URL, from: config.NOTIFY_EMAIL_FROM, configurationSet: config.SES_CONFIGURATION_SET })
        : sinkChannel(),
    sms:
      config.NOTIFY_SMS_TRANSPORT === 'sns' && config.AWS_REGION
        ? createSmsChannel({ region: config.AWS_REGION, senderId: config.SMS_SENDER_ID })
        : sinkChannel(),
  };
}
