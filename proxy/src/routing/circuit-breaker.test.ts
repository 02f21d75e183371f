// The external router's circuit breaker on a clock the test moves: it opens after the threshold of
// consecutive failures, lets one trial through after openFor, and that trial closes or reopens it.
import { CircuitBreaker } from './circuit-breaker.js';

function breaker() {
  let now = 0;
  const changes: boolean[] = [];
  const circuit = new CircuitBreaker({
    threshold: 3,
    openForMs: 1000,
    now: () => now,
    onChange: (open) => changes.push(open),
  });
  return { circuit, changes, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('stays closed while failures are fewer than the threshold or interrupted by a success', () => {
    const { circuit, changes } = breaker();
    circuit.failure();
    circuit.failure();
    circuit.success();
    circuit.failure();
    circuit.failure();
    expect(circuit.open).toBe(false);
    expect(circuit.allow()).toBe(true);
    expect(changes).toEqual([]);
  });

  it('opens at the threshold and refuses calls until openFor has passed', () => {
    const { circuit, changes, advance } = breaker();
    for (let i = 0; i < 3; i++) circuit.failure();
    expect(circuit.open).toBe(true);
    expect(changes).toEqual([true]);
    expect(circuit.allow()).toBe(false);
    advance(999);
    expect(circuit.allow()).toBe(false);
    advance(1);
    expect(circuit.allow()).toBe(true);
    // One trial at a time.
    expect(circuit.allow()).toBe(false);
  });

  it('a successful trial closes it', () => {
    const { circuit, changes, advance } = breaker();
    for (let i = 0; i < 3; i++) circuit.failure();
    advance(1000);
    expect(circuit.allow()).toBe(true);
    circuit.success();
    expect(circuit.open).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(circuit.allow()).toBe(true);
  });

  it('a failed trial keeps it open for another openFor', () => {
    const { circuit, changes, advance } = breaker();
    for (let i = 0; i < 3; i++) circuit.failure();
    advance(1000);
    expect(circuit.allow()).toBe(true);
    circuit.failure();
    expect(circuit.open).toBe(true);
    expect(circuit.allow()).toBe(false);
    advance(1000);
    expect(circuit.allow()).toBe(true);
    expect(changes).toEqual([true]);
  });
});
