import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { PermanentDeliveryError, type Channel } from './channel.js';

export interface SmsChannelOptions {
  region: string;
  senderId?: string;
  /** Injected by tests and for custom endpoints; built from `region` otherwise. */
  client?: SNSClient;
}

/** SNS answers that no retry will change: the number or the message itself is refused. */
const PERMANENT = new Set([
  'InvalidParameterException',
  'InvalidParameterValueException',
  'OptedOutException',
  'EndpointDisabledException',
  'ValidationException',
]);

/** SMS through Amazon SNS direct publish to a phone number (transactional route). */
export function createSmsChannel({ region, senderId, client = new SNSClient({ region }) }: SmsChannelOptions): Channel {
  const attributes: Record<string, MessageAttributeValue> = {
    // Transactional: the route for one-time codes and appointments, delivered ahead of promotional traffic.
    'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
    ...(senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: senderId } } : {}),
  };
  return {
    name: 'sms',
    async send(message) {
      if (message.to.channel !== 'sms') throw new PermanentDeliveryError('the SMS channel needs a phone number');
      try {
        const out = await client.send(
          new PublishCommand({ PhoneNumber: message.to.address, Message: message.body, MessageAttributes: attributes }),
        );
        return { providerMessageId: out.MessageId };
      } catch (error) {
        const name = (error as { name?: string }).name ?? 'Error';
        if (PERMANENT.has(name)) throw new PermanentDeliveryError(`sns ${name}: refused by the provider`, { cause: error });
        throw new Error(`sns ${name}: temporary failure`, { cause: error });
      }
    },
  };
}
