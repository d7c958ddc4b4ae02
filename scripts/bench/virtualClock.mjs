// A clock for the engine whose time moves only when nothing else can happen: every request the
// engine sent has been answered (real HTTP, which takes no virtual time) and every callback has run.
// Then it jumps to the earliest timer. So a 90 s job takes as long as its few requests take, and
// the schedule is exactly the one the engine would follow in real time.

/** A binary heap of timers ordered by (at, seq). */
class TimerHeap {
  items = [];
  push(t) {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  peek() {
    return this.items[0];
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
const before = (x, y) => x.at < y.at || (x.at === y.at && x.seq < y.seq);
const turn = () => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock {
  #t;
  #seq = 0;
  #heap = new TimerHeap();
  #live = new Set();
  #inFlight = 0;
  #idle = [];

  constructor(start = 1_000_000) {
    this.#t = start;
  }

  now() {
    return this.#t;
  }

  setTimeout(fn, ms) {
    const timer = { at: this.#t + Math.max(0, Math.round(ms)), seq: ++this.#seq, fn };
    this.#heap.push(timer);
    this.#live.add(timer.seq);
    return timer.seq;
  }

  clearTimeout(handle) {
    this.#live.delete(handle);
  }

  /** Counts `promise` as work in flight: time stands still until it settles. */
  track(promise) {
    this.#inFlight++;
    const done = () => {
      if (--this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
    };
    promise.then(done, done);
    return promise;
  }

  /** Runs until `done()` holds: settles all work, then jumps to the next timer and runs it. */
  async run(done) {
    for (;;) {
      await this.#settle();
      if (done()) return;
      const due = this.#takeEarliest();
      if (due.length === 0) throw new Error('virtual clock: nothing left to wait for, but the run is not done');
      this.#t = Math.max(this.#t, due[0].at);
      // Timers due at the same moment run together (their requests are in flight together).
      for (const timer of due) if (this.#live.delete(timer.seq)) timer.fn();
    }
  }

  #takeEarliest() {
    const due = [];
    for (;;) {
      const top = this.#heap.peek();
      if (!top || (due.length > 0 && top.at !== due[0].at)) return due;
      this.#heap.pop();
      if (this.#live.has(top.seq)) due.push(top);
    }
  }

  async #settle() {
    for (;;) {
      while (this.#inFlight > 0) await new Promise((resolve) => this.#idle.push(resolve));
      await turn();
      if (this.#inFlight > 0) continue;
      await turn();
      if (this.#inFlight === 0) return;
    }
  }
}
