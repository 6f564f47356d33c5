// vpnlb status page: reads the admin API every 2 seconds and changes member admin states.
// Everything is served by vpnlb itself; the token lives in this tab's sessionStorage only.
'use strict';

(function () {
  const TOKEN_KEY = 'vpnlb-admin-token';
  const previous = new Map(); // listener name -> {rx, tx, at}
  let timer = null;

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function takeTokenFromFragment() {
    const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, '', window.location.pathname);
    }
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function num(value) {
    return el('td', value, 'num');
  }

  function badge(value) {
    const td = el('td');
    td.appendChild(el('span', value, 'badge ' + value));
    return td;
  }

  function message(text, isError) {
    const node = document.getElementById('message');
    node.textContent = text;
    node.className = isError ? 'error' : '';
  }

  async function api(method, path, body) {
    const headers = { 'Authorization': 'Bearer ' + token() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('The token was refused; enter the content of admin.token-file.');
      throw new Error('unauthorized');
    }
    const json = await response.json();
    if (!response.ok) {
      const details = (json.violations || []).map(v => v.message).join('; ');
      throw new Error(json.error + (details ? ': ' + details : ''));
    }
    return json;
  }

  function showLogin(text) {
    document.getElementById('login').hidden = false;
    document.getElementById('content').hidden = true;
    if (timer) { clearInterval(timer); timer = null; }
    if (text) message(text, true);
  }

  function renderServices(services) {
    const body = document.querySelector('#services tbody');
    body.replaceChildren();
    const now = Date.now();
    for (const service of services) {
      for (const listener of service.listeners) {
        const row = el('tr');
        row.appendChild(el('td', service.name));
        row.appendChild(el('td', service.type));
        row.appendChild(el('td', service.listen + ':' + listener.listen_port + ' \u2192 :' + listener.member_port));
        row.appendChild(el('td', service.pool));
        row.appendChild(num(listener.sessions_active ?? '-'));
        // Datagram rates for UDP listeners; TCP listeners show their connections and drops only.
        const datagrams = listener.bound && listener.rx_datagrams !== undefined;
        const before = previous.get(listener.name);
        let rxRate = '-';
        let txRate = '-';
        if (before && datagrams) {
          const seconds = (now - before.at) / 1000;
          if (seconds > 0) {
            rxRate = ((listener.rx_datagrams - before.rx) / seconds).toFixed(1);
            txRate = ((listener.tx_datagrams - before.tx) / seconds).toFixed(1);
          }
        }
        if (datagrams) previous.set(listener.name, { rx: listener.rx_datagrams, tx: listener.tx_datagrams, at: now });
        row.appendChild(num(rxRate));
        row.appendChild(num(txRate));
        row.appendChild(num(listener.rx_datagrams ?? '-'));
        const drops = listener.drops ? Object.values(listener.drops).reduce((a, b) => a + b, 0) : '-';
        row.appendChild(num(drops));
        body.appendChild(row);
      }
    }
  }

  async function changeState(pool, member, state) {
    try {
      await api('PATCH', '/api/v1/pools/' + encodeURIComponent(pool) + '/members/' + encodeURIComponent(member),
        { admin_state: state });
      message('pool ' + pool + ' member ' + member + ': ' + state, false);
      await refresh();
    } catch (e) {
      if (e.message !== 'unauthorized') message('pool ' + pool + ' member ' + member + ': ' + e.message, true);
    }
  }

  function renderPool(pool, members) {
    const section = el('section');
    section.className = 'pool';
    section.dataset.pool = pool.name;
    section.appendChild(el('h2', 'Pool ' + pool.name + ' (' + pool.algorithm + ', services: '
      + (pool.services.join(', ') || 'none') + ', priority in use: ' + (pool.active_priority ?? 'none') + ')'));
    const table = el('table');
    const head = el('tr');
    for (const title of ['member', 'health', 'admin state', 'weight', 'priority', 'new clients', 'sessions',
      'selections', 'last check', 'actions']) {
      head.appendChild(el('th', title));
    }
    table.appendChild(el('thead')).appendChild(head);
    const body = el('tbody');
    for (const member of members) {
      const row = el('tr');
      row.dataset.member = member.member;
      row.appendChild(el('td', member.member));
      row.appendChild(badge(member.health));
      row.appendChild(badge(member.admin_state));
      row.appendChild(num(member.weight));
      row.appendChild(num(member.priority));
      const td = el('td');
      td.appendChild(el('span', member.selectable ? 'yes' : (member.eligible ? 'standby' : 'no'),
        'badge ' + (member.selectable ? 'up' : (member.eligible ? 'standby' : 'down'))));
      row.appendChild(td);
      row.appendChild(num(member.active_sessions));
      row.appendChild(num(member.selections));
      row.appendChild(el('td', member.last_check || '-'));
      const actions = el('td');
      for (const state of ['ready', 'drain', 'maint']) {
        const button = el('button', state);
        button.type = 'button';
        button.dataset.action = state;
        button.disabled = member.admin_state === state;
        button.addEventListener('click', () => changeState(pool.name, member.member, state));
        actions.appendChild(button);
      }
      row.appendChild(actions);
      body.appendChild(row);
    }
    table.appendChild(body);
    section.appendChild(table);
    return section;
  }

  async function refresh() {
    const [services, pools] = await Promise.all([api('GET', '/api/v1/services'), api('GET', '/api/v1/pools')]);
    const memberLists = await Promise.all(pools.pools.map(
      pool => api('GET', '/api/v1/pools/' + encodeURIComponent(pool.name) + '/members')));
    renderServices(services.services);
    const container = document.getElementById('pools');
    container.replaceChildren(...pools.pools.map((pool, i) => renderPool(pool, memberLists[i].members)));
    let members = 0;
    let sessions = 0;
    for (const list of memberLists) {
      members += list.members.length;
      for (const m of list.members) sessions += m.active_sessions;
    }
    document.getElementById('summary').textContent = services.services.length + ' service(s), '
      + pools.pools.length + ' pool(s), ' + members + ' member(s), ' + sessions + ' session(s)';
    document.getElementById('refreshed').textContent = 'updated ' + new Date().toLocaleTimeString();
    document.body.dataset.loaded = 'true';
  }

  async function tick() {
    try {
      await refresh();
    } catch (e) {
      if (e.message !== 'unauthorized') message('cannot read the admin API: ' + e.message, true);
    }
  }

  function start() {
    document.getElementById('login').hidden = true;
    document.getElementById('content').hidden = false;
    tick();
    if (!timer) timer = setInterval(tick, 2000);
  }

  document.addEventListener('DOMContentLoaded', () => {
    takeTokenFromFragment();
    document.getElementById('login').addEventListener('submit', event => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
      message('', false);
      start();
    });
    if (token()) start(); else showLogin();
  });
})();
