/**
 * Resolves on the next macrotask, without setTimeout's clamping (nested timeouts wait ≥ 4 ms in
 * browsers): a MessageChannel post in browsers and workers, setImmediate in Node.
 */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else post(resolve);
  });
}

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

function post(resolve: () => void): void {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  waiting.push(resolve);
  channel.port2.postMessage(0);
}
