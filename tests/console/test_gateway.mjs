// A test gateway for the browser test: a websocket client of /v1/gateway
// written on node's net module (node 20 has no websocket client), enough
// for text frames: the handshake, masked frames out, unmasked frames in.
import net from 'node:net';
import crypto from 'node:crypto';

export class TestGateway {
  static connect(port, token) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const gw = new TestGateway(socket);
      const key = crypto.randomBytes(16).toString('base64');
      socket.once('error', reject);
      socket.on('connect', () => {
        socket.write(`GET /v1/gateway HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          `Authorization: Bearer ${token}\r\n\r\n`);
      });
      let head = Buffer.alloc(0);
      const onHead = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHead);
        if (!head.subarray(0, end).toString().startsWith('HTTP/1.1 101')) {
          reject(new Error(`gateway upgrade refused: ${head.subarray(0, end)}`));
          return;
        }
        socket.on('data', (c) => gw.onData(c));
        gw.onData(head.subarray(end + 4));
        resolve(gw);
      };
      socket.on('data', onHead);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      let length = this.buffer[1] & 0x7f;
      let at = 2;
      if (length === 126) { if (this.buffer.length < 4) return; length = this.buffer.readUInt16BE(2); at = 4; }
      else if (length === 127) { if (this.buffer.length < 10) return; length = Number(this.buffer.readBigUInt64BE(2)); at = 10; }
      if (this.buffer.length < at + length) return;
      const payload = this.buffer.subarray(at, at + length);
      this.buffer = this.buffer.subarray(at + length);
      if (opcode === 0x1) this.onFrame(JSON.parse(payload.toString('utf8')));
      else if (opcode === 0x9) this.write(0xa, payload);  // pong
    }
  }

  onFrame(frame) {
    this.frames.push(frame);
    this.waiters = this.waiters.filter((w) => !w());
  }

  write(opcode, payload) {
    const mask = crypto.randomBytes(4);
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n])
      : Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]);
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
    this.socket.write(Buffer.concat([head, mask, body]));
  }

  send(frame) { this.write(0x1, Buffer.from(JSON.stringify(frame), 'utf8')); }

  // The first frame (seen or to come) that `match` accepts, within `ms`.
  waitFor(match, ms = 10000, what = 'a frame') {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(match);
        if (found) { clearTimeout(timer); resolve(found); return true; }
        return false;
      };
      const timer = setTimeout(() => reject(new Error(`gateway: no ${what} within ${ms} ms`)), ms);
      if (!check()) this.waiters.push(check);
    });
  }

  // Sends a buyer message; resolves with its answer frame.
  ask(id, chat, text, meta = {}) {
    this.send({ type: 'message', id, chat, text, ts: Date.now(), channel: 'taobao', meta });
    return this.waitFor((f) => f.in_reply_to === id, 10000, `answer to ${id}`);
  }

  close() { this.socket.destroy(); }
}
