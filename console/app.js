// 小二客服台: the agents' console. Plain ES modules, no build step, nothing
// loaded from elsewhere (the daemon's Content-Security-Policy forbids it).
import { call, Link } from './api.js';
import { byDeadline, formatLeft, slaClass, timeLeftMs } from './sla.js';
import { Composer } from './composer.js';

const $ = (id) => document.getElementById(id);
const FROM = { buyer: '买家', bot: '机器人', agent: '客服', notice: '系统提醒', note: '内部备注' };
const REASON = { asked_for_human: '要求人工', complaint: '投诉', unresolved: '未能解答', intent: '需人工处理' };
const STATE = { waiting: '等待中', claimed: '接待中' };

const state = {
  me: null,          // {agent, supervisor}
  tickets: new Map(),
  selected: null,    // ticket id
  tab: 'waiting',
  unseen: new Set(), // tickets with news not yet looked at
  agents: [],
  history: [],       // resolved tickets found (the 历史 tab)
  link: null,
};

// ---- boot and login ---------------------------------------------------------

async function boot() {
  const me = await call('GET', '/v1/me');
  if (me.status === 200 && !me.data.service) start(me.data);
  else showLogin();
}

function showLogin() {
  $('desk').hidden = true;
  $('login').hidden = false;
  $('login-agent').focus();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  const agent = $('login-agent').value.trim();
  const secret = $('login-secret').value;
  const res = await call('POST', '/v1/login', { agent, secret });
  $('login-secret').value = '';
  if (res.status === 200) start(res.data);
  else $('login-error').textContent = res.status === 401 ? '账号或密钥不正确' : '登录失败，请稍后再试';
});

$('logout').addEventListener('click', async () => {
  await call('POST', '/v1/logout');
  if (state.link) state.link.close();
  location.reload();
});

function start(me) {
  state.me = me;
  $('login').hidden = true;
  $('desk').hidden = false;
  $('me').textContent = `${me.agent}${me.supervisor ? '（主管）' : ''}`;
  $('tab-all').hidden = !me.supervisor;
  $('supervisor').hidden = !me.supervisor;
  state.link = new Link(onFrame, onLinkState);
  composer.load();
  if ('Notification' in window && Notification.permission === 'default') $('notify-permission').hidden = false;
  setInterval(tick, 1000);
  refreshAgents();
  setInterval(refreshAgents, 5000);
}

$('notify-permission').addEventListener('click', async () => {
  await Notification.requestPermission();
  $('notify-permission').hidden = true;
});

$('presence').addEventListener('change', async () => {
  await call('POST', '/v1/presence', { status: $('presence').value });
});

function onLinkState(s) {
  const el = $('link-state');
  el.textContent = s === 'up' ? '已连接' : '连接断开，正在重连…';
  el.className = `link-state ${s}`;
  if (s === 'up') {
    // This connection now counts as present; a daemon that restarted
    // meanwhile learns again that this agent is away.
    if ($('presence').value === 'away') call('POST', '/v1/presence', { status: 'away' });
    refreshAgents();
  }
}

// ---- frames -------------------------------------------------------------------

function onFrame(frame) {
  if (frame.type === 'queue') {
    state.tickets = new Map(frame.tickets.map((t) => [t.id, t]));
    render();
  } else if (frame.type === 'ticket') {
    onEvent(frame.event, frame.ticket);
  } else if (frame.type === 'error' && frame.code === 'unauthorized') {
    showLogin();
  }
}

function onEvent(kind, ticket) {
  const before = state.tickets.get(ticket.id);
  if (kind === 'resolved') {
    state.tickets.delete(ticket.id);
    state.unseen.delete(ticket.id);
  } else {
    state.tickets.set(ticket.id, ticket);
  }
  const last = ticket.transcript[ticket.transcript.length - 1];
  const buyerWrote = before && last && last.from === 'buyer' && ticket.transcript.length > before.transcript.length;
  const mineOrFree = ticket.state === 'waiting' || ticket.agent === state.me.agent;
  if ((kind === 'opened' || (buyerWrote && mineOrFree)) && ticket.id !== state.selected) {
    state.unseen.add(ticket.id);
    notify(kind === 'opened' ? '新的转人工会话' : '买家发来新消息', ticket);
  }
  if (kind === 'transferred' && ticket.agent === state.me.agent && before && before.agent !== state.me.agent) {
    state.unseen.add(ticket.id);
    notify('有会话转接给你', ticket);
  }
  render();
}

// Title badge, a short tone, and the desktop notification when allowed.
function notify(title, ticket) {
  beep();
  if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
    const n = new Notification(title, { body: `${who(ticket)}：${lastText(ticket)}`, tag: ticket.id });
    n.onclick = () => { window.focus(); select(ticket.id); };
  }
}

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.05;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.15);
  } catch (_) { /* no audio: the badge still shows */ }
}

// ---- rendering --------------------------------------------------------------

const who = (t) => t.buyer_nick || t.chat;
const lastText = (t) => (t.transcript.length ? t.transcript[t.transcript.length - 1].text : '');

function visible(tab) {
  if (tab === 'history') return state.history;
  const now = Date.now();
  const all = [...state.tickets.values()];
  const list = tab === 'waiting' ? all.filter((t) => t.state === 'waiting')
    : tab === 'mine' ? all.filter((t) => t.agent === state.me.agent)
      : all;
  return list.sort((a, b) => byDeadline(a, b, now));
}

function render() {
  const waiting = visible('waiting');
  $('count-waiting').textContent = waiting.length;
  $('count-mine').textContent = visible('mine').length;
  $('count-all').textContent = state.tickets.size;
  document.title = (state.unseen.size ? `(${state.unseen.size}) ` : '') + '小二客服台';
  renderQueue();
  renderChat();
  renderSupervisor(waiting);
}

function renderQueue() {
  const list = $('queue-list');
  const tickets = visible(state.tab);
  const now = Date.now();
  list.replaceChildren(...tickets.map((t) => {
    const li = document.createElement('li');
    li.dataset.id = t.id;
    li.className = (t.id === state.selected ? 'selected ' : '') + (state.unseen.has(t.id) ? 'fresh' : '');
    const left = timeLeftMs(t, now);
    li.append(
      span('who', who(t)),
      span(`sla ${slaClass(left)}`, formatLeft(left)),
      span('tag', `${REASON[t.reason] || t.reason}${t.priority > 0 ? ' · 优先' : ''} · ${t.agent ? t.agent : STATE[t.state]}`),
      span('tag', t.channel || ''),
      span('last', lastText(t)));
    li.addEventListener('click', () => select(t.id));
    return li;
  }));
  $('queue-empty').hidden = tickets.length > 0;
}

function span(cls, text) {
  const el = document.createElement('span');
  el.className = cls;
  el.textContent = text;
  return el;
}

// The selected ticket: open, or one from the history (read only).
function selectedTicket() {
  if (!state.selected) return null;
  return state.tickets.get(state.selected) || state.history.find((h) => h.id === state.selected) || null;
}

function renderChat() {
  const t = selectedTicket();
  $('chat').hidden = !t;
  $('chat-empty').hidden = !!t;
  if (!t) { renderBuyer(null); return; }
  const status = t.state === 'resolved' ? '已结束' : t.agent ? `${t.agent} 接待中` : STATE[t.state];
  $('chat-title').textContent = `${who(t)} · ${t.id} · ${status}`;
  const mine = t.agent === state.me.agent && t.state !== 'resolved';
  const sup = state.me.supervisor && t.state !== 'resolved';
  $('btn-claim').disabled = t.state !== 'waiting';
  $('btn-note').disabled = t.state === 'resolved';
  $('btn-release').disabled = !(t.state === 'claimed' && (mine || sup));
  $('btn-resolve').disabled = !(t.state === 'waiting' || mine || sup);
  $('btn-transfer').disabled = !(mine || (sup && t.state === 'claimed'));
  $('transfer-to').disabled = $('btn-transfer').disabled;
  $('btn-send').disabled = !mine;
  const box = $('transcript');
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
  const before = box.children.length;
  box.replaceChildren(...t.transcript.map((line) => {
    const li = document.createElement('li');
    li.className = line.from;
    const meta = document.createElement('span');
    meta.className = 'meta';
    const name = line.agent ? `${FROM[line.from]} ${line.agent}` : FROM[line.from] || line.from;
    meta.textContent = `${name} · ${new Date(line.ts).toLocaleTimeString('zh-CN')}${line.intents ? ` · ${line.intents.join(', ')}` : ''}`;
    li.append(meta, document.createTextNode(line.text));
    return li;
  }));
  if (atBottom || before !== box.children.length) box.scrollTop = box.scrollHeight;
  renderSla(t);
  renderBuyer(t);
  composer.ticket = t;
}

function renderSla(t) {
  const left = timeLeftMs(t, Date.now());
  const el = $('chat-sla');
  el.textContent = t.state === 'resolved' ? '已结束' : left === Infinity ? '已回复' : `剩余 ${formatLeft(left)}`;
  el.className = `sla ${slaClass(left)}`;
}

function renderBuyer(t) {
  const dl = $('buyer-info');
  if (!t) { dl.replaceChildren(); return; }
  const rows = [['昵称', t.buyer_nick || '—'], ['渠道', t.channel || '—'], ['商品', t.item_id || '—'],
    ['会话', t.chat], ['原因', REASON[t.reason] || t.reason], ['优先级', t.priority > 0 ? '优先' : '普通'],
    ['转人工', new Date(t.opened_ms).toLocaleString('zh-CN')]];
  for (const [k, v] of Object.entries(t.meta || {})) rows.push([k, v]);
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', k), el('dd', v)]));
}

function el(tag, text) {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}

function renderSupervisor(waiting) {
  if (!state.me.supervisor) return;
  const now = Date.now();
  $('stat-waiting').textContent = waiting.length;
  const oldest = waiting.reduce((m, t) => Math.min(m, t.opened_ms), Infinity);
  $('stat-oldest').textContent = oldest === Infinity ? '—' : formatLeft(now - oldest);
  const load = new Map();
  for (const t of state.tickets.values()) if (t.agent) load.set(t.agent, (load.get(t.agent) || 0) + 1);
  $('agents-table').tBodies[0].replaceChildren(...state.agents.map((a) => {
    const tr = document.createElement('tr');
    const status = !a.connected ? '离线' : a.presence === 'away' ? '离开' : '在线';
    tr.append(el('td', a.name + (a.supervisor ? '（主管）' : '')), el('td', status),
      el('td', String(load.get(a.name) || 0)), el('td', String(a.capacity)), el('td', ''));
    return tr;
  }));
}

function fillTransfer(names) {
  const sel = $('transfer-to');
  const keep = sel.value;
  sel.replaceChildren(...names.map((n) => { const o = el('option', n); o.value = n; return o; }));
  if (names.includes(keep)) sel.value = keep;
}

async function refreshAgents() {
  const res = await call('GET', '/v1/agents');
  if (res.status === 200) {
    state.agents = res.data.agents;
    $('stat-breaches').textContent = res.data.sla_breaches_today;
    fillTransfer(state.agents.map((a) => a.name).filter((n) => n !== state.me.agent));
    render();
  }
}

function tick() {
  renderQueue();
  const t = state.selected && state.tickets.get(state.selected);
  if (t) renderSla(t);
}

// ---- actions ------------------------------------------------------------------

function select(id) {
  state.selected = id;
  state.unseen.delete(id);
  render();
  $('composer-text').focus();
}

document.querySelectorAll('.tabs button').forEach((b) => b.addEventListener('click', () => {
  state.tab = b.dataset.tab;
  document.querySelectorAll('.tabs button').forEach((o) => o.setAttribute('aria-selected', String(o === b)));
  $('history-search').hidden = state.tab !== 'history';
  if (state.tab === 'history') searchHistory();
  render();
}));

async function searchHistory() {
  const res = await call('GET', `/v1/history?q=${encodeURIComponent($('history-query').value.trim())}`);
  if (res.status === 200) {
    state.history = res.data.tickets;
    render();
  }
}

$('history-search').addEventListener('submit', (e) => { e.preventDefault(); searchHistory(); });

async function act(frame) {
  const answer = await state.link.request(frame);
  if (answer.type === 'error') alert(answer.message);
  else if (answer.ticket) onEvent(answer.ticket.state === 'resolved' ? 'resolved' : 'updated', answer.ticket);
  return answer;
}

const current = () => state.selected;
$('btn-claim').addEventListener('click', () => act({ type: 'claim', ticket: current() }));
$('btn-release').addEventListener('click', () => act({ type: 'release', ticket: current() }));
$('btn-resolve').addEventListener('click', () => act({ type: 'resolve', ticket: current() }));
$('btn-transfer').addEventListener('click', () => {
  const to = $('transfer-to').value;
  if (to) act({ type: 'transfer', ticket: current(), to });
});

const composer = new Composer({
  send: (text) => act({ type: 'send', ticket: current(), text }),
  note: (text) => act({ type: 'note', ticket: current(), text }),
});

function move(step) {
  const list = visible(state.tab);
  if (!list.length) return;
  const i = list.findIndex((t) => t.id === state.selected);
  select(list[(i + step + list.length) % list.length].id);
}

document.addEventListener('keydown', (e) => {
  if (!state.me) return;
  if (e.altKey && e.key === 'ArrowDown') { e.preventDefault(); move(1); }
  else if (e.altKey && e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
  else if (e.altKey && (e.key === 'c' || e.key === 'C')) { e.preventDefault(); if (current()) act({ type: 'claim', ticket: current() }); }
  else if (e.altKey && (e.key === 'r' || e.key === 'R')) { e.preventDefault(); if (current()) act({ type: 'resolve', ticket: current() }); }
});

boot();
