/**
 * The floor's other side, in its own process: a bare NATS loop that takes a request and
 * answers it, nothing else.
 *   node --import tsx bench/nats/floor-responder.ts <url> core <subject>
 *   node --import tsx bench/nats/floor-responder.ts <url> jetstream <requestStream> <replySubject>
 * core: a core NATS subscription that `respond()`s each request (request/reply, at most once).
 * jetstream: pulls the request work-queue stream (durable `g`), publishes the reply to the
 * reply stream (waiting for its PubAck), then acks the request (at least once, like the transport).
 */
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const [url, mode, a, b] = process.argv.slice(2) as [string, string, string, string?];
const nc = await connect({ servers: url.replace(/^nats:\/\//, '') });
process.on('SIGTERM', () => {
  void nc.close().finally(() => process.exit(0));
});
if (mode === 'core') {
  nc.subscribe(a, {
    callback: (_err, msg) => {
      msg.respond(msg.data);
    },
  });
  await nc.flush();
  process.stdout.write('ready\n');
} else {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(a, 'g');
  const messages = await consumer.consume({ max_messages: 64 });
  process.stdout.write('ready\n');
  for await (const m of messages) {
    await js.publish(b as string, m.data);
    m.ack();
  }
}
