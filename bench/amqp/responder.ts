/**
 * The floor's worker: bare amqplib, no tf. Consumes `<queue>`, answers each message to
 * its reply_to with the same correlation id, acks. One process per "worker".
 */
import amqp from 'amqplib';

const [url = 'amqp://guest:guest@127.0.0.1:5672', queue = 'floor'] = process.argv.slice(2);
const connection = await amqp.connect(url, { noDelay: true });
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: false, autoDelete: false });
await channel.prefetch(100);
await channel.consume(queue, (message) => {
  if (!message) return;
  const reply = JSON.stringify({ state: 'SUCCESS', data: { result: 1 } });
  channel.sendToQueue(message.properties.replyTo as string, Buffer.from(reply), {
    correlationId: message.properties.correlationId as string,
    contentType: 'application/json',
  });
  channel.ack(message);
});
console.log('ready');
process.on('SIGTERM', () => {
  void connection.close().finally(() => process.exit(0));
});
