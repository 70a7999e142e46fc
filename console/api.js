// The daemon's agent API from the page: HTTP calls with the session cookie
// (same origin; the browser adds Origin) and the live websocket, which
// reconnects by itself and resyncs the queue after a drop.

export async function call(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  return { status: res.status, data };
}

// One websocket to /v1/agent. `onFrame(frame)` gets every frame; `onState`
// gets 'up' or 'down'. On every (re)open it asks for the whole queue, so a
// change missed while down is caught up. Backoff 0.5 s doubling to 10 s.
export class Link {
  constructor(onFrame, onState) {
    this.onFrame = onFrame;
    this.onState = onState;
    this.delay = 500;
    this.next = 1;
    this.pending = new Map();
    this.closed = false;
    this.open();
  }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/v1/agent`);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      this.onState('up');
      this.send({ type: 'list' });
    };
    ws.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (_) { return; }
      const waiter = frame.request_id && this.pending.get(frame.request_id);
      if (waiter) {
        this.pending.delete(frame.request_id);
        waiter(frame);
      }
      this.onFrame(frame);
    };
    ws.onclose = () => {
      this.onState('down');
      for (const waiter of this.pending.values()) waiter({ type: 'error', code: 'unavailable', message: '连接已断开' });
      this.pending.clear();
      if (this.closed) return;
      setTimeout(() => this.open(), this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    };
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  // A command answered by its request_id: resolves with the ok or error frame.
  request(frame) {
    return new Promise((resolve) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        resolve({ type: 'error', code: 'unavailable', message: '未连接，请稍候重试' });
        return;
      }
      const id = `r${this.next++}`;
      this.pending.set(id, resolve);
      this.send({ ...frame, request_id: id });
    });
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
  }
}
