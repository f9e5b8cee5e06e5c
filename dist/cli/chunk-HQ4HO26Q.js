// cli/signals.ts
var SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
function guardSignals(verb, leftBehind) {
  const controller = new AbortController();
  let received = null;
  const handler = (name) => {
    if (received) {
      process.stderr.write(`
jfsmeta ${verb}: ${name} again: exiting without cleaning up; ${leftBehind()}
`);
      process.exit(128 + SIGNALS[name]);
    }
    received = name;
    process.stderr.write(`
jfsmeta ${verb}: ${name} received: stopping and cleaning up (send it again to exit at once)
`);
    controller.abort(new Error(`stopped by ${name}`));
  };
  const listeners = Object.keys(SIGNALS).map((name) => {
    const fn = () => handler(name);
    process.on(name, fn);
    return [name, fn];
  });
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received ? 128 + SIGNALS[received] : 0;
    },
    release() {
      for (const [name, fn] of listeners) process.off(name, fn);
    }
  };
}

export {
  guardSignals
};
