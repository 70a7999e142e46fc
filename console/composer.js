// The composer: free text, canned replies (快捷短语, "/" then a few letters of
// the shortcut or title), the bot's suggested reply as an editable draft,
// internal notes, and the compliance check of the text before it is sent.
import { call } from './api.js';

const $ = (id) => document.getElementById(id);

export class Composer {
  constructor({ send, note }) {
    this.sendText = send;
    this.noteText = note;
    this.canned = [];
    this.ticket = null;
    this.active = 0;
    this.text = $('composer-text');
    this.list = $('canned-list');
    $('composer').addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    $('btn-note').addEventListener('click', () => this.note());
    $('btn-draft').addEventListener('click', () => this.draft());
    this.text.addEventListener('keydown', (e) => this.onKey(e));
    this.text.addEventListener('input', () => this.onInput());
  }

  async load() {
    const res = await call('GET', '/v1/canned');
    if (res.status === 200) this.canned = res.data.replies;
  }

  // Replaces {placeholders} the shop facts did not fill with the ticket's own.
  fill(text) {
    const t = this.ticket || {};
    return text.replace(/\{buyer_nick\}/g, t.buyer_nick || '亲').replace(/\{item_id\}/g, t.item_id || '');
  }

  matches() {
    const q = this.text.value.slice(1).toLowerCase();
    return this.canned.filter((c) => c.key.toLowerCase().startsWith(q) || c.title.includes(q));
  }

  onInput() {
    if (this.text.value.startsWith('/')) {
      this.active = 0;
      this.showList();
    } else {
      this.list.hidden = true;
    }
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.check(), 300);
  }

  showList() {
    const found = this.matches();
    this.list.hidden = found.length === 0;
    this.list.replaceChildren(...found.map((c, i) => {
      const d = document.createElement('div');
      d.className = i === this.active ? 'active' : '';
      d.setAttribute('role', 'option');
      const b = document.createElement('b');
      b.textContent = `/${c.key}`;
      d.append(b, document.createTextNode(`${c.title}：${this.fill(c.text)}`));
      d.addEventListener('mousedown', (e) => { e.preventDefault(); this.pick(c); });
      return d;
    }));
  }

  pick(c) {
    this.text.value = this.fill(c.text);
    this.list.hidden = true;
    this.check();
    this.text.focus();
  }

  onKey(e) {
    if (!this.list.hidden) {
      const found = this.matches();
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
        this.showList();
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        if (found[this.active]) this.pick(found[this.active]);
        return;
      }
      if (e.key === 'Escape') { this.list.hidden = true; return; }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.send();
    }
  }

  draft() {
    if (this.ticket && this.ticket.suggestion) {
      this.text.value = this.ticket.suggestion;
      this.check();
      this.text.focus();
    }
  }

  // The daemon's compliance rules (no third-party platforms or contacts…):
  // a warning shown before sending; `block` when configured to refuse.
  async check() {
    const text = this.text.value.trim();
    const box = $('compliance');
    if (!text) { box.hidden = true; return { ok: true }; }
    const res = await call('POST', '/v1/compliance', { text });
    const ok = res.status !== 200 || res.data.problems.length === 0;
    box.hidden = ok;
    if (!ok) box.textContent = `合规提醒：${res.data.problems.join('；')}${res.data.block ? '（不能发送）' : ''}`;
    return { ok, block: !ok && res.data.block };
  }

  async send() {
    const text = this.text.value.trim();
    if (!text || $('btn-send').disabled) return;
    const verdict = await this.check();
    if (verdict.block) return;
    const answer = await this.sendText(text);
    // Only what was sent is cleared: the agent may have typed the next reply
    // while this one was on its way.
    if (answer.type === 'ok' && this.text.value.trim() === text) {
      this.text.value = '';
      $('compliance').hidden = true;
    }
  }

  async note() {
    const text = this.text.value.trim();
    if (!text || !this.ticket) return;
    const answer = await this.noteText(text);
    if (answer.type === 'ok' && this.text.value.trim() === text) this.text.value = '';
  }
}
