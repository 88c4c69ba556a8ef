import type { Transport } from '@tf/transport';

/** How the conformance suites get and treat transports. */
export interface ConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** A new, unconnected transport. Called several times per test: each is a separate connection. */
  create: () => Transport | Promise<Transport>;
  /** After each test, once every transport it made is closed (purge a broker, remove folders...). */
  cleanup?: () => void | Promise<void>;
  /**
   * Drop `transport`'s connection the way a broker restart or network failure would (kill the
   * connection server-side, close the socket...). Given, the suite checks the transport
   * reconnects and resumes its consumers; absent, those tests are not registered
   * (nothing is reported as skipped: the transport has no such capability).
   */
  dropConnection?: (transport: Transport) => void | Promise<void>;
  /**
   * Make `transport` die like a killed process: no acks, no close. Given, the suite checks
   * what it held is redelivered to another consumer; absent, that test is not registered.
   */
  crash?: (transport: Transport) => void | Promise<void>;
  /**
   * Whether `topic` of `exchange` exists on the broker now (a queue, a stream key, a folder),
   * asked out of band. Given, `replyPublishSuite` and `temporaryTopicsSuite` also check that
   * topics are not created or are removed; absent, they check only what consumers receive.
   */
  topicExists?: (exchange: string, topic: string) => boolean | Promise<boolean>;
  /**
   * The `temporaryTopicExpiryMs` that `create`'s transports are given (keep it short: 1000).
   * Given with `crash` and `topicExists`, `temporaryTopicsSuite` checks that a crashed
   * consumer's temporary topic is gone after it.
   */
  temporaryTopicExpiryMs?: number;
  /**
   * Whether a topic, and every message in it (waiting, or held unsettled by its consumers),
   * outlives its last consumer (default `true`): queue durability as the contract needs it.
   * `false` for a broker that deletes a queue with its last consumer (AMQP auto-delete queues,
   * Python TaskFlow's default layout): what the last consumer held, or what was still queued,
   * is then lost when it closes or its connection drops. The tests that need it (a closed
   * transport's unsettled messages reach the next consumer; `close()` loses nothing
   * unprocessed; the held message comes back after a dropped connection) are then not
   * registered, or check only the rest of their clause.
   */
  topicsOutliveConsumers?: boolean;
  /** A password that `create`'s transports have in their URL; `details()` must not show it. */
  password?: string;
  /** Per-test timeout (default 30 s). */
  timeoutMs?: number;
  /** How long to wait for a condition (default 10 s). */
  waitMs?: number;
  /** How long "nothing more happens" is watched before asserting it (default 300 ms). */
  quietMs?: number;
}
