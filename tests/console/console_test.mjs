// The console in a real browser (issue 11's "Done when"): Debian's chromium
// driven by playwright-core, against a test daemon and a test gateway on
// loopback. Two agents in two browser contexts and a supervisor in a third.
//
//   node console_test.mjs XIAOERD SOURCE_DIR ARTIFACTS_DIR
//
// Exit 0 when every step passed; screenshots of the queue and the chat pane
// are written to ARTIFACTS_DIR (docs/console.md shows them).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { TestGateway } from './test_gateway.mjs';

const [daemonPath, sourceDir, artifacts] = process.argv.slice(2);
if (!daemonPath || !sourceDir || !artifacts) {
  console.error('usage: node console_test.mjs XIAOERD SOURCE_DIR ARTIFACTS_DIR');
  process.exit(2);
}
const GATEWAY_TOKEN = 'console-test-gateway-token-1';
const AGENT_TOKEN = 'console-test-agent-token-2';
const STEP_MS = 10000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-console-'));
fs.mkdirSync(artifacts, { recursive: true });
fs.writeFileSync(path.join(dir, 'gateway.token'), GATEWAY_TOKEN);
fs.writeFileSync(path.join(dir, 'agent.token'), AGENT_TOKEN);
const config = path.join(dir, 'xiaoerd.yaml');
fs.writeFileSync(config, `listen: {address: 127.0.0.1, port: 0}
threads: 2
tokens:
  gateway: {env: "", file: "${dir}/gateway.token"}
  agent: {env: "", file: "${dir}/agent.token"}
paths:
  intents: "${sourceDir}/intents"
  shop: "${sourceDir}/config/shop.yaml"
journal: {path: "${dir}/journal.log", sync: always}
queue: {sla_complaint_s: 2}
console:
  dir: "${sourceDir}/console"
  canned_file: "${sourceDir}/config/canned.yaml"
  auto_assign: true
  sessions_file: "${dir}/sessions"
log: {level: info, format: text}
`);

function addAgent(name, ...flags) {
  const out = execFileSync(daemonPath, ['agent', 'add', name, ...flags, '--config', config]).toString();
  const m = out.match(/secret ([0-9a-f]{48})/);
  if (!m) throw new Error(`no secret printed for ${name}: ${out}`);
  return m[1];
}

let daemon = null;
let log = '';
let browser = null;
let gateway = null;
let failed = false;

function startDaemon() {
  return new Promise((resolve, reject) => {
    daemon = spawn(daemonPath, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${log}`)), 15000);
    const onOut = (chunk) => {
      log += chunk.toString();
      const m = log.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    daemon.stdout.on('data', onOut);
    daemon.stderr.on('data', onOut);
    daemon.on('exit', (code) => { clearTimeout(timer); reject(new Error(`daemon exited ${code}:\n${log}`)); });
  });
}

function step(name) { console.log(`-- ${name}`); }
function check(ok, what) { if (!ok) throw new Error(`check failed: ${what}`); }

async function login(context, base, agent, secret) {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (e) => { console.error(`[${agent}] page error: ${e.message}`); failed = true; });
  page.on('console', (m) => { if (m.type() === 'error') console.error(`[${agent}] console: ${m.text()}`); });
  await page.goto(`${base}/console/`);
  await page.fill('#login-agent', agent);
  await page.fill('#login-secret', secret);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#desk:not([hidden])');
  await page.waitForSelector('#link-state.up');
  return page;
}

const queueItem = (page, chat) => page.locator('#queue-list li', { hasText: chat });

// Sets the agent's presence from the page, once the daemon has it.
async function setPresence(page, status) {
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/presence') && r.ok()),
    page.selectOption('#presence', status)]);
}

async function main() {
  const secrets = { li: addAgent('li'), zhang: addAgent('zhang'), wang: addAgent('wang', '--supervisor') };
  const port = await startDaemon();
  const base = `http://127.0.0.1:${port}`;
  gateway = await TestGateway.connect(port, GATEWAY_TOKEN);
  browser = await chromium.launch({ executablePath: process.env.XIAOER_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'] });
  const viewport = { width: 1280, height: 720 };
  const liContext = await browser.newContext({ viewport, locale: 'zh-CN' });
  const zhangContext = await browser.newContext({ viewport, locale: 'zh-CN' });

  step('two agents log in');
  const li = await login(liContext, base, 'li', secrets.li);
  const zhang = await login(zhangContext, base, 'zhang', secrets.zhang);
  check((await li.textContent('#me')).includes('li'), 'li is shown as li');
  // Away: auto-assignment (on here) gives them nothing until they are back.
  await setPresence(li, 'away');
  await setPresence(zhang, 'away');

  step('three chats are handed off; the complaint has the shortest SLA (2 s here) and leads the queue');
  const a = await gateway.ask('m-a1', 'shop:buyer-a', '转人工', { buyer_nick: '小红', item_id: '6001' });
  check(a.type === 'handoff', `chat a handed off (${JSON.stringify(a)})`);
  const b = await gateway.ask('m-b1', 'shop:buyer-b', '我要找人工客服', { buyer_nick: '阿明' });
  check(b.type === 'handoff', `chat b handed off (${JSON.stringify(b)})`);
  const c = await gateway.ask('m-c1', 'shop:buyer-c', '太差了 我要投诉', { buyer_nick: '老张' });
  check(c.type === 'handoff', `chat c handed off (${JSON.stringify(c)})`);
  await li.waitForFunction(() => document.querySelectorAll('#queue-list li').length === 3);
  const order = await li.$$eval('#queue-list li .who', (els) => els.map((e) => e.textContent));
  check(order[0] === '老张', `the complaint leads (order ${order})`);
  check(order.indexOf('小红') < order.indexOf('阿明'), `older first among equals (order ${order})`);
  check(/\d:\d\d/.test(await li.textContent('#queue-list li .sla')), 'a countdown is shown');
  check((await li.title()).startsWith('('), 'the title carries a badge');
  await li.screenshot({ path: path.join(artifacts, 'queue.png') });

  step('li claims chat a and sees the buyer follow up live');
  await queueItem(li, '小红').click();
  await li.keyboard.press('Alt+c');
  await li.waitForSelector('#chat-title:has-text("li 接待中")');
  check((await li.textContent('#buyer-info')).includes('6001'), 'the item id is shown');
  const held = await gateway.ask('m-a2', 'shop:buyer-a', '在吗 我的订单还没发货');
  check(held.type === 'hold', 'the follow-up is held');
  await li.waitForSelector('#transcript li.buyer:has-text("我的订单还没发货")');

  step('li replies with a canned reply, then free text');
  await li.fill('#composer-text', '');
  await li.locator('#composer-text').pressSequentially('/');
  await li.waitForSelector('#canned-list:not([hidden]) div');
  const cannedText = await li.locator('#canned-list div').first().textContent();
  await li.keyboard.press('Enter');
  const filled = await li.inputValue('#composer-text');
  check(filled.length > 0 && !filled.startsWith('/'), `a canned reply filled the box (${filled})`);
  check(!/\{[a-z_]+\}/.test(filled), `its placeholders are filled (${filled})`);
  await li.keyboard.press('Control+Enter');
  const first = await gateway.waitFor((f) => f.type === 'agent_reply' && f.text === filled, STEP_MS, 'canned reply');
  check(first.agent === 'li', 'the canned reply carries li');
  await li.fill('#composer-text', '亲，我帮您催一下仓库，今天一定发出');
  await li.keyboard.press('Control+Enter');
  const second = await gateway.waitFor((f) => f.type === 'agent_reply' && f.text.includes('催一下仓库'), STEP_MS,
    'free text reply');
  check(second.agent === 'li', 'the free text carries li');
  console.log(`   canned: ${cannedText}`);
  await li.waitForSelector('#transcript li.agent:has-text("催一下仓库")');
  await li.screenshot({ path: path.join(artifacts, 'chat.png') });

  step('li transfers chat a to zhang, who resolves it');
  await li.selectOption('#transfer-to', 'zhang');
  await li.click('#btn-transfer');
  await zhang.click('.tabs button[data-tab=mine]');
  await queueItem(zhang, '小红').click();
  await zhang.waitForSelector('#chat-title:has-text("zhang 接待中")');
  await zhang.keyboard.press('Alt+r');
  await li.waitForFunction(() => ![...document.querySelectorAll('#queue-list li')].some((e) => e.textContent.includes('小红')));

  step('the resolved chat is in zhang\'s history, searchable by buyer');
  await zhang.click('.tabs button[data-tab=history]');
  await zhang.fill('#history-query', '小红');
  await zhang.press('#history-query', 'Enter');
  await queueItem(zhang, '小红').click();
  await zhang.waitForSelector('#chat-title:has-text("已结束")');
  await zhang.waitForSelector('#transcript li.agent:has-text("催一下仓库")');

  step('zhang is back online: a new chat is given to him, under 我的, with all the meta the gateway sent');
  await setPresence(zhang, 'online');
  const d = await gateway.ask('m-d1', 'shop:buyer-d', '转人工', { buyer_nick: '小李', order_id: 'O-778' });
  check(d.type === 'handoff', `chat d handed off (${JSON.stringify(d)})`);
  await zhang.click('.tabs button[data-tab=mine]');
  await queueItem(zhang, '小李').click();
  await zhang.waitForSelector('#chat-title:has-text("zhang 接待中")');
  await zhang.waitForSelector('#buyer-info:has-text("O-778")');

  step('li claims chat b and logs out; the supervisor releases it');
  await queueItem(li, '阿明').click();
  await li.click('#btn-claim');
  await li.waitForSelector('#chat-title:has-text("li 接待中")');
  await li.click('#logout');
  await li.waitForSelector('#login:not([hidden])');
  const wangContext = await browser.newContext({ viewport, locale: 'zh-CN' });
  const wang = await login(wangContext, base, 'wang', secrets.wang);
  await wang.waitForSelector('#supervisor:not([hidden])');
  // The complaint has waited past its 2 s: one deadline missed today.
  await wang.waitForFunction(() => document.querySelector('#stat-breaches').textContent === '1', null,
    { timeout: 20000 });
  await wang.click('.tabs button[data-tab=all]');
  await queueItem(wang, '阿明').click();
  await wang.waitForSelector('#chat-title:has-text("li 接待中")');
  await wang.click('#btn-release');
  await wang.waitForSelector('#chat-title:has-text("等待中")');
  await wang.screenshot({ path: path.join(artifacts, 'supervisor.png') });

  step('the secrets never reached a URL, the log or the metrics');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  for (const secret of Object.values(secrets)) {
    check(!log.includes(secret) && !metrics.includes(secret), 'no secret in the log or the metrics');
  }
}

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  if (gateway) gateway.close();
  if (daemon) { daemon.removeAllListeners('exit'); daemon.kill('SIGTERM'); }
  fs.rmSync(dir, { recursive: true, force: true });
}

const guard = setTimeout(() => { console.error('console test: over 120 s'); cleanup().then(() => process.exit(1)); }, 120000);
main().then(async () => {
  clearTimeout(guard);
  await cleanup();
  if (failed) { console.error('page errors: see above'); process.exit(1); }
  console.log('console test: passed');
}, async (e) => {
  clearTimeout(guard);
  console.error(e.stack || String(e));
  console.error(`---- daemon log ----\n${log}`);
  await cleanup();
  process.exit(1);
});
