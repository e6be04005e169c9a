// The lab console page: plain JS, no build. The trace is a virtualised list (only the rows in
// view are in the DOM), so a module that traces megabytes stays responsive.
const ROW = 18;
const token = new URLSearchParams(location.search).get('token');
const q = token ? `?token=${encodeURIComponent(token)}` : '';
const $ = (id) => document.getElementById(id);
const api = (path, init) => fetch(`${path}${q}`, init);
const wsUrl = (path) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}${q}`;

let current = null; // { name, traceWs, portWs, entries, stateTimer }
const TO_MODULE = new Set(['>', '>>']);

function rowText(e) {
  const t = (e.time / 1000).toFixed(3).padStart(9);
  if (e.kind === 'chunk') return `${t}  ${e.where}  ${e.dir === 'to-module' ? '→' : '←'} [${e.layer}] ${e.hex.replace(/(..)/g, '$1 ').trim()}`;
  return `${t}  ${e.where}  ${e.mark} ${e.text}`;
}
function rowClass(e) {
  if (e.kind === 'chunk') return `row ${e.dir}`;
  if (e.mark === '!') return 'row urc';
  if (e.text.startsWith('[cmux]')) return 'row mux';
  if (e.mark === '>>' || e.mark === '<<') return 'row data';
  return `row ${TO_MODULE.has(e.mark) ? 'to-module' : 'from-module'}`;
}
function visible() {
  const hex = $('hex').checked;
  return current.entries.filter((e) => (hex ? e.kind === 'chunk' : e.kind === 'event'));
}
let rendering = false;
function render() {
  if (rendering || !current) return;
  rendering = true;
  requestAnimationFrame(() => {
    rendering = false;
    const list = visible();
    const box = $('trace');
    $('trace-spacer').style.height = `${list.length * ROW}px`;
    if ($('follow').checked) box.scrollTop = box.scrollHeight;
    const first = Math.max(0, Math.floor(box.scrollTop / ROW) - 5);
    const last = Math.min(list.length, first + Math.ceil(box.clientHeight / ROW) + 10);
    const rows = $('trace-rows');
    rows.style.top = `${first * ROW}px`;
    rows.replaceChildren(...list.slice(first, last).map((e) => {
      const div = document.createElement('div');
      div.className = rowClass(e);
      div.textContent = rowText(e);
      return div;
    }));
  });
}

async function refreshState() {
  if (!current) return;
  const r = await api(`/api/modules/${encodeURIComponent(current.name)}/state`);
  if (r.ok) $('state').textContent = JSON.stringify(await r.json(), null, 2);
  const s = JSON.parse($('state').textContent || '{}');
  if (s.registration) $('coverage').textContent = s.registration.coverage ? 'coverage off' : 'coverage on';
}

function select(name) {
  if (current) {
    current.traceWs.close();
    current.portWs?.close();
    clearInterval(current.stateTimer);
  }
  for (const li of $('modules').children) li.classList.toggle('selected', li.dataset.name === name);
  $('module').hidden = false;
  $('title').textContent = name;
  const traceWs = new WebSocket(wsUrl(`/api/modules/${encodeURIComponent(name)}/trace`));
  current = { name, traceWs, portWs: null, entries: [], stateTimer: setInterval(refreshState, 1000) };
  const mine = current;
  traceWs.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.history) mine.entries.push(...msg.history);
    else mine.entries.push(msg);
    if (mine.entries.length > 20000) mine.entries.splice(0, mine.entries.length - 20000);
    render();
  };
  refreshState();
  render();
}

function port() {
  if (current.portWs && current.portWs.readyState <= WebSocket.OPEN) return current.portWs;
  const ws = new WebSocket(wsUrl(`/api/modules/${encodeURIComponent(current.name)}/port`));
  ws.binaryType = 'arraybuffer';
  current.portWs = ws;
  return ws;
}

$('send-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('cmd').value;
  const ws = port();
  const send = () => ws.send(new TextEncoder().encode(`${text}\r`));
  if (ws.readyState === WebSocket.OPEN) send();
  else ws.addEventListener('open', send, { once: true });
  $('cmd').value = '';
});

async function control(body) {
  const r = await api(`/api/modules/${encodeURIComponent(current.name)}/controls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  $('control-result').textContent = r.ok ? 'applied' : `${r.status}: ${(await r.json()).error}`;
  await refreshState();
}
$('coverage').addEventListener('click', () => control({ coverage: $('coverage').textContent === 'coverage on' }));
$('apply').addEventListener('click', () => {
  const body = {};
  if ($('rat').value !== '') body.rat = Number($('rat').value);
  if ($('rssi').value !== '') body.signal = { rssi: Number($('rssi').value) };
  if ($('apns').value !== '') body.apns = $('apns').value.split(',').map((s) => s.trim());
  if ($('clock').value !== '') body.clockOffsetMs = Number($('clock').value) * 1000;
  if ($('radio').value !== '') body.radio = $('radio').value;
  control(body);
});
$('trace').addEventListener('scroll', render);
$('hex').addEventListener('change', render);

const r = await api('/api/modules');
if (!r.ok) $('status').textContent = `${r.status}: ${r.status === 401 ? 'add ?token=… to the address' : 'error'}`;
else {
  for (const m of await r.json()) {
    const li = document.createElement('li');
    li.dataset.name = m.name;
    li.textContent = `${m.name} (${m.model})`;
    li.addEventListener('click', () => select(m.name));
    $('modules').append(li);
  }
  if ($('modules').children.length > 0) select($('modules').children[0].dataset.name);
}
