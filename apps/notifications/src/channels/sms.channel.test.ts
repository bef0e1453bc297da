import { PublishCommand, SNSClient, InvalidParameterException, ThrottledException } from '@aws-sdk/client-sns';
import { UnrecoverableError } from '@jab/queue';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmsChannel } from './sms.channel.js';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const message = {
  messageId: '0190f5b2-7c1e-7a3b-8c4d-5e6f7a8b9c0d',
  template: 'otp',
  to: { channel: 'sms' as const, address: '+919812345678' },
  subject: 'Your Jab code',
  body: 'Your Jab sign-in code is 483920.',
};

describe('SMS channel (SNS mocked with aws-sdk-client-mock)', () => {
  it('publishes the body to the phone number as a transactional SMS with the sender id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    const channel = createSmsChannel({ region: 'eu-west-1', senderId: 'JAB' });
    expect(await channel.send(message)).toEqual({ providerMessageId: 'sns-1' });
    const [call] = sns.commandCalls(PublishCommand);
    expect(call.args[0].input).toMatchObject({
      PhoneNumber: '+919812345678',
      Message: 'Your Jab sign-in code is 483920.',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'JAB' },
      },
    });
  });

  it('treats a refused number as permanent and throttling as temporary', async () => {
    const channel = createSmsChannel({ region: 'eu-west-1' });
    sns.on(PublishCommand).rejects(new InvalidParameterException({ message: 'Invalid phone number', $metadata: {} }));
    await expect(channel.send(message)).rejects.toBeInstanceOf(UnrecoverableError);
    sns.reset();
    sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }));
    const error = await channel.send(message).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/^sns ThrottledException/);
  });
});
