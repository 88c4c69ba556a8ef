/**
 * A trip booking on the local (parallel) engine: flight, hotel and car are reserved
 * side by side, the card is charged once all three are held. The car rental is flaky
 * and its subflow is retried; when the charge is declined every reservation is undone
 * (each task's `revert`), in reverse dependency order.
 *
 *   pnpm demo                 # the booking succeeds after a retry
 *   pnpm demo -- --decline    # the charge fails: watch the compensation
 */
import { PrintingListener, Task, Times, graphFlow, linearFlow, unorderedFlow, type RevertContext } from '@tf/core';
import { load } from '@tf/engine';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let carAttempts = 0;

class Reserve extends Task<{ trip: { from: string; to: string; nights: number } }, string> {
  static override taskName = 'travel.Reserve';
  static override requires = ['trip'];
  override async execute({ trip }: { trip: { to: string; nights: number } }): Promise<string> {
    for (let step = 1; step <= 4; step++) {
      await sleep(40);
      this.updateProgress(step / 4);
    }
    if (this.name === 'car' && ++carAttempts < 2) throw new Error('car rental desk timed out');
    return `${this.name.toUpperCase()}-${trip.to.slice(0, 3).toUpperCase()}-${Math.floor(Math.random() * 9000 + 1000)}`;
  }
  override async revert(_args: unknown, { result }: RevertContext<string>): Promise<void> {
    if (typeof result === 'string') console.log(`    ↩ cancelled ${this.name} reservation ${result}`);
  }
}

class Charge extends Task<{ flight: string; hotel: string; car: string; card: string }, string> {
  static override taskName = 'travel.Charge';
  static override requires = ['flight', 'hotel', 'car', 'card'];
  override async execute({ card }: { card: string }): Promise<string> {
    await sleep(60);
    if (card.endsWith('0000')) throw new Error(`card ${card} declined`);
    return `receipt-${Date.now().toString(36)}`;
  }
}

const booking = graphFlow('book-trip').add(
  unorderedFlow('reserve').add(
    new Reserve({ name: 'flight', provides: 'flight' }),
    new Reserve({ name: 'hotel', provides: 'hotel' }),
    linearFlow('rent-car', { retry: new Times({ attempts: 3 }) }).add(new Reserve({ name: 'car', provides: 'car' })),
  ),
  new Charge({ name: 'charge', provides: 'receipt' }),
);

const decline = process.argv.includes('--decline');
const engine = load(booking, {
  engine: 'parallel',
  store: { trip: { from: 'Lisbon', to: 'Tokyo', nights: 5 }, card: decline ? '4111-0000' : '4111-1234' },
});
new PrintingListener().attach(engine);

try {
  await engine.run();
  const { flight, hotel, car, receipt } = engine.storage.fetchAll();
  console.log(`\nBooked: flight ${flight}, hotel ${hotel}, car ${car}; paid with ${receipt}.`);
} catch (error) {
  console.log(`\nBooking failed and was rolled back: ${(error as Error).message}`);
  console.log(`Final states: ${JSON.stringify(engine.storage.getStates())}`);
  process.exitCode = decline ? 0 : 1;
}
