'use strict';
// Tidegate's page. It draws itself from the JSON API every REFRESH_MS and counts deadlines down
// every second on the server's clock. Every URL is relative to the page, so it works under any
// --web.route-prefix. Data goes into the page only as text (textContent), never as HTML.
(() => {
  const REFRESH_MS = 2000;
  const ANSWER_WAIT_MS = 10000;
  // the gauges Tidegate adds to every group: shown in the API, not counted as what was pushed
  const GATEWAY_FAMILIES = new Set([
    'push_time_seconds', 'push_failure_time_seconds', 'push_expiry_time_seconds', 'push_expired_time_seconds']);
  const ADMIN_FLAG = 'web.enable-admin-api';

  const byId = (id) => document.getElementById(id);
  const rows = new Map(); // grouping key, as text -> {row, group}
  let adminApi = false;
  let lastRefresh = null;
  let deletions = 0; // an answer asked for before a deletion may still hold the deleted group
  let shownStatus = '';
  // the server's clock minus the browser's, in ms, known within [low, high]; see noteServerClock
  let offsetLow = -Infinity;
  let offsetHigh = Infinity;
  let clockOffset = 0;

  // ---- talking to the server ----

  async function fetchJson(path) {
    const sentAt = Date.now();
    let response;
    try {
      response = await fetch(path, {cache: 'no-store', headers: {Accept: 'application/json'},
        signal: AbortSignal.timeout(ANSWER_WAIT_MS)});
    } catch (e) {
      throw new Error(e.name === 'TimeoutError' ? `${path}: no answer within ${ANSWER_WAIT_MS / 1000} s`
          : `${path}: ${e.message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${path} answered ${describeAnswer(response, text)}`);
    }
    noteServerClock(response.headers.get('Date'), sentAt, Date.now());
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`${path} answered something that is not JSON`);
    }
  }

  function describeAnswer(response, text) {
    const line = text.trim().split('\n')[0].slice(0, 300);
    return `HTTP ${response.status} ${response.statusText}` + (line ? `: ${line}` : '');
  }

  // The Date header is the server's clock in whole seconds, read between sentAt and receivedAt; each
  // answer bounds the offset, and the bounds together pin it to well under a second.
  function noteServerClock(dateHeader, sentAt, receivedAt) {
    const date = Date.parse(dateHeader);
    if (Number.isNaN(date)) {
      return;
    }
    const low = date - receivedAt;
    const high = date + 1000 - sentAt;
    if (low > offsetHigh || high < offsetLow) { // a clock jumped: start over
      offsetLow = low;
      offsetHigh = high;
    } else {
      offsetLow = Math.max(offsetLow, low);
      offsetHigh = Math.min(offsetHigh, high);
    }
    clockOffset = (offsetLow + offsetHigh) / 2;
  }

  const serverNow = () => Date.now() + clockOffset;

  async function refresh() {
    try {
      const deletionsBefore = deletions;
      const [metrics, status] = await Promise.all([fetchJson('api/v1/metrics'), fetchJson('api/v1/status')]);
      showStatus(status.data || {});
      if (deletions === deletionsBefore) {
        showGroups(metrics.data || []);
      }
      showRejections(metrics.mqtt_rejections || []);
      lastRefresh = new Date();
      byId('unreachable').hidden = true;
      byId('refreshed').textContent = `Refreshed ${formatTime(lastRefresh)}, every ${REFRESH_MS / 1000} s`;
    } catch (e) {
      const banner = byId('unreachable');
      banner.textContent = `Cannot reach Tidegate: ${e.message}. `
          + (lastRefresh ? `Showing what it said at ${formatTime(lastRefresh)}; ` : '')
          + `trying again every ${REFRESH_MS / 1000} s.`;
      banner.hidden = false;
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  // ---- groups ----

  function describeGroup(entry) {
    const labels = entry.labels || {};
    const names = Object.keys(labels).sort((a, b) => (a === 'job' ? -1 : b === 'job' ? 1 : a.localeCompare(b)));
    const families = Object.entries(entry).filter(([, value]) => value && Array.isArray(value.metrics));
    const own = families.filter(([name]) => !GATEWAY_FAMILIES.has(name));
    // a group is gone when all its families are: its deadline is their latest, none if one has none
    let deadline = families.length ? -Infinity : null;
    for (const [, family] of families) {
      const at = family.deadline ? Date.parse(family.deadline) : NaN;
      deadline = Number.isNaN(at) || deadline === null ? null : Math.max(deadline, at);
    }
    const ttls = new Set((own.length ? own : families)
        .filter(([, family]) => family.ttl_seconds !== undefined)
        .map(([, family]) => Number(family.ttl_seconds)));
    const pushTime = entry.push_time_seconds && entry.push_time_seconds.metrics[0];
    const pushedAt = pushTime ? Number(pushTime.value) * 1000 : 0;
    const failureTime = entry.push_failure_time_seconds && entry.push_failure_time_seconds.metrics[0];
    const failedAt = failureTime ? Number(failureTime.value) * 1000 : 0;
    const source = entry['@source'];
    return {
      labels,
      keyText: '{' + names.map((name) => `${name}="${quoteLabelValue(labels[name])}"`).join(', ') + '}',
      names,
      deadline,
      ttls: [...ttls].sort((a, b) => a - b),
      lastPush: pushedAt > 0 ? new Date(pushedAt) : null,
      lastPushFailed: entry.last_push_successful === false,
      lastFailure: failedAt > 0 ? new Date(failedAt) : null,
      // a key whose every push was refused: it holds nothing and has no deadline, so it is no live group
      neverPushed: pushedAt === 0 && entry.last_push_successful === false,
      topic: source ? source.topic : null,
      retained: Boolean(source && source.retained),
      familyNames: own.map(([name]) => name),
      series: own.reduce((sum, [, family]) => sum + family.metrics.length, 0),
    };
  }

  function quoteLabelValue(value) {
    return String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  }

  function showGroups(entries) {
    const described = entries.map(describeGroup);
    const groups = described.filter((group) => !group.neverPushed);
    showRefused(described.filter((group) => group.neverPushed));
    const current = new Set(groups.map((group) => group.keyText));
    for (const [key, shown] of rows) {
      if (!current.has(key)) {
        shown.row.remove();
        rows.delete(key);
      }
    }
    const tbody = document.querySelector('#groups tbody');
    const ordered = groups.map((group) => {
      let shown = rows.get(group.keyText);
      if (!shown) {
        shown = {row: newRow(group), group};
        rows.set(group.keyText, shown);
      }
      shown.group = group;
      updateRow(shown.row, group);
      return shown.row;
    });
    // move rows only when the order changed, so a focused button keeps its focus
    if (ordered.some((row, i) => tbody.children[i] !== row)) {
      ordered.forEach((row) => tbody.appendChild(row));
    }
    applyFilter();
    tick();
  }

  // keys Tidegate refused every push to: never pushed, holding nothing, with no clock running
  function showRefused(refused) {
    const tbody = document.querySelector('#refused tbody');
    tbody.replaceChildren(...refused.map((group) => {
      const row = document.createElement('tr');
      cell(row, 'key').textContent = group.keyText;
      cell(row, 'source').textContent = group.topic === null ? 'HTTP' : `MQTT ${group.topic}`;
      const when = cell(row, 'last-failure');
      when.textContent = group.lastFailure ? formatTime(group.lastFailure) : '';
      when.title = group.lastFailure ? group.lastFailure.toISOString() : '';
      cell(row, 'state').append(mark('refused, never pushed', 'failed',
          'Every push to this key was refused: it holds no metrics, has no deadline and never expires'));
      return row;
    }));
    byId('refused-section').hidden = refused.length === 0;
  }

  function cell(row, className) {
    const td = document.createElement('td');
    td.className = className;
    row.appendChild(td);
    return td;
  }

  function newRow(group) {
    const row = document.createElement('tr');
    const key = cell(row, 'key');
    for (const name of group.names) {
      if (key.firstChild) {
        key.append(' '); // so a copied key, and a screen reader, keeps the labels apart
      }
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = `${name}="${quoteLabelValue(group.labels[name])}"`;
      key.appendChild(label);
    }
    for (const name of ['source', 'last-push', 'ttl', 'countdown', 'families number', 'series number']) {
      cell(row, name);
    }
    cell(row, 'actions admin-only');
    return row;
  }

  function updateRow(row, group) {
    const source = row.querySelector('td.source');
    source.replaceChildren();
    if (group.topic === null) {
      source.textContent = 'HTTP';
    } else {
      source.append('MQTT ');
      const topic = document.createElement('span');
      topic.className = 'topic';
      topic.textContent = group.topic;
      source.appendChild(topic);
      if (group.retained) {
        source.append(' ', mark('retained', '', 'A retained message: the broker\'s stored copy, of unknown age'));
      }
    }
    const lastPush = row.querySelector('td.last-push');
    lastPush.textContent = group.lastPush ? formatTime(group.lastPush) : 'never';
    lastPush.title = group.lastPush ? group.lastPush.toISOString() : '';
    if (group.lastPushFailed) {
      lastPush.append(' ', mark('last push failed', 'failed', 'The last push to this group was refused'));
    }
    row.querySelector('td.ttl').textContent = group.ttls.length === 0 ? 'none'
        : group.ttls.map((seconds) => formatDuration(seconds, '')).join(' – ');
    row.querySelector('td.countdown').title = group.deadline === null ? ''
        : `Deadline ${new Date(group.deadline).toISOString()}`;
    const families = row.querySelector('td.families');
    families.textContent = String(group.familyNames.length);
    families.title = group.familyNames.join(', ');
    row.querySelector('td.series').textContent = String(group.series);
    showActions(row.querySelector('td.actions'), group);
  }

  function mark(text, className, title) {
    const span = document.createElement('span');
    span.className = `mark ${className}`.trim();
    span.textContent = text;
    span.title = title;
    return span;
  }

  // every second: the time left to each deadline, on the server's clock
  function tick() {
    const now = serverNow();
    for (const {row, group} of rows.values()) {
      const countdown = row.querySelector('td.countdown');
      if (group.deadline === null) {
        countdown.textContent = 'never';
        continue;
      }
      const left = group.deadline - now;
      row.classList.toggle('expired', left <= 0);
      countdown.classList.toggle('soon', left > 0 && left < 10000);
      countdown.textContent = left <= 0 ? 'expired' : formatDuration(Math.ceil(left / 1000), ' ');
    }
  }

  // ---- deleting a group ----

  function showActions(actions, group) {
    actions.hidden = !adminApi;
    if (!adminApi) {
      actions.replaceChildren();
    } else if (actions.childElementCount === 0) {
      actions.appendChild(button('Delete', 'delete', () => askToDelete(actions, group.keyText)));
    }
  }

  function button(text, className, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
  }

  function askToDelete(actions, keyText) {
    const question = document.createElement('span');
    question.className = 'confirm-text';
    question.textContent = 'Delete this group?';
    const reset = () => actions.replaceChildren(button('Delete', 'delete', () => askToDelete(actions, keyText)));
    actions.replaceChildren(question,
        button('Yes, delete', 'confirm', () => deleteGroup(actions, keyText, reset)),
        button('Cancel', 'cancel', reset));
  }

  async function deleteGroup(actions, keyText, reset) {
    actions.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    const shown = rows.get(keyText);
    try {
      const response = await fetch(deletePath(shown.group.labels), {method: 'DELETE', cache: 'no-store'});
      if (!response.ok) {
        throw new Error(describeAnswer(response, await response.text()));
      }
      deletions++;
      shown.row.remove();
      rows.delete(keyText);
      applyFilter();
    } catch (e) {
      reset();
      showActionError(`Deleting group ${keyText} failed: ${e.message}`);
    }
  }

  // every value in base64url, as the push API reads "<label>@base64/<value>", so any value works
  function deletePath(labels) {
    let path = `metrics/job@base64/${base64Url(labels.job || '')}`;
    for (const [name, value] of Object.entries(labels)) {
      if (name !== 'job') {
        path += `/${encodeURIComponent(name + '@base64')}/${base64Url(value)}`;
      }
    }
    return path;
  }

  function base64Url(text) {
    if (text === '') {
      return '='; // the push API's spelling of the empty value
    }
    let binary = '';
    for (const byte of new TextEncoder().encode(text)) {
      binary += String.fromCharCode(byte);
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function showActionError(text) {
    byId('action-error-text').textContent = text;
    byId('action-error').hidden = false;
  }

  // ---- filter ----

  // "name=value" (the value may be "quoted") wants that label; any other word, quoted or not,
  // wants a grouping key that contains it; every term must hold
  function parseFilter(text) {
    const terms = [];
    for (const match of text.matchAll(/([^\s="]+)=(?:"([^"]*)"|(\S*))|"([^"]*)"|(\S+)/g)) {
      if (match[1] !== undefined) {
        const name = match[1];
        const value = match[2] !== undefined ? match[2] : match[3];
        terms.push((group) => (group.labels[name] || '') === value);
      } else {
        const needle = (match[4] !== undefined ? match[4] : match[5]).toLowerCase();
        terms.push((group) => group.keyText.toLowerCase().includes(needle));
      }
    }
    return (group) => terms.every((term) => term(group));
  }

  function applyFilter() {
    const text = byId('filter').value;
    const matches = parseFilter(text);
    let shownCount = 0;
    for (const {row, group} of rows.values()) {
      row.hidden = !matches(group);
      shownCount += row.hidden ? 0 : 1;
    }
    const total = rows.size;
    const plural = (n) => (n === 1 ? 'group' : 'groups');
    byId('group-count').textContent = shownCount === total ? `${total} ${plural(total)}`
        : `${shownCount} of ${total} ${plural(total)} shown`;
    const none = byId('no-groups');
    none.hidden = shownCount > 0;
    none.textContent = total === 0 ? 'No groups.' : 'No group matches the filter.';
  }

  function filterFromHash() {
    const match = /^#filter=(.*)$/.exec(window.location.hash);
    if (!match) {
      return '';
    }
    try {
      return decodeURIComponent(match[1]);
    } catch (e) {
      return '';
    }
  }

  function onFilterInput() {
    const text = byId('filter').value;
    const base = window.location.pathname + window.location.search;
    window.history.replaceState(null, '', text ? `${base}#filter=${encodeURIComponent(text)}` : base);
    applyFilter();
  }

  // ---- status, rejections ----

  function showStatus(data) {
    showPersistenceFailure(data.persistence_failure);
    const flags = data.flags || {};
    adminApi = flags[ADMIN_FLAG] === 'true';
    document.querySelectorAll('th.admin-only').forEach((th) => { th.hidden = !adminApi; });
    const text = JSON.stringify(data);
    if (text === shownStatus) {
      return;
    }
    shownStatus = text;
    const build = Object.entries(data.build_information || {});
    if (data.start_time) {
      build.push(['start time', data.start_time]);
    }
    fillPairs('build', build);
    fillPairs('flags', Object.entries(flags));
  }

  // while the persistence journal fails (a full disk), writes are refused: say since when and why
  function showPersistenceFailure(failure) {
    const banner = byId('persistence-failure');
    if (!failure) {
      banner.hidden = true;
      return;
    }
    const since = new Date(failure.since);
    const when = Number.isNaN(since.getTime()) ? '' : ` since ${formatTime(since)}`
        + ` (${formatDuration(Math.max(0, (serverNow() - since.getTime()) / 1000), '')} ago)`;
    banner.textContent = `Writes are refused${when}: ${failure.reason}. Pushes get 503 and MQTT messages are not `
        + 'acknowledged, so nothing is lost; Tidegate keeps trying the disk and takes writes again by itself once there is room.';
    banner.hidden = false;
  }

  function fillPairs(tableId, pairs) {
    const tbody = document.querySelector(`#${tableId} tbody`);
    tbody.replaceChildren(...pairs.map(([name, value]) => {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = name;
      row.appendChild(th);
      cell(row, 'value').textContent = value;
      return row;
    }));
  }

  function showRejections(rejections) {
    const tbody = document.querySelector('#rejections tbody');
    tbody.replaceChildren(...rejections.map((rejection) => {
      const row = document.createElement('tr');
      cell(row, 'topic').textContent = rejection.topic;
      const time = new Date(rejection.time);
      const when = cell(row, 'time');
      when.textContent = Number.isNaN(time.getTime()) ? String(rejection.time) : formatTime(time);
      when.title = String(rejection.time);
      cell(row, 'reason').textContent = rejection.reason;
      cell(row, 'message').textContent = rejection.message;
      return row;
    }));
    byId('rejections').hidden = rejections.length === 0;
    byId('no-rejections').hidden = rejections.length > 0;
  }

  // ---- formatting ----

  const pad = (n) => String(n).padStart(2, '0');

  function formatTime(date) {
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `
        + `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }

  // 90 -> "1m30s" (or "1m 30s" with a space); under a second in ms
  function formatDuration(seconds, separator) {
    if (seconds < 1) {
      return `${Math.round(seconds * 1000)}ms`;
    }
    let rest = Math.round(seconds);
    const parts = [];
    for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
      if (rest >= size) {
        parts.push(`${Math.floor(rest / size)}${unit}`);
        rest %= size;
      }
    }
    return parts.join(separator);
  }

  // ---- start ----

  document.addEventListener('DOMContentLoaded', () => {
    const filter = byId('filter');
    filter.value = filterFromHash();
    filter.addEventListener('input', onFilterInput);
    window.addEventListener('hashchange', () => {
      filter.value = filterFromHash();
      applyFilter();
    });
    byId('action-error-dismiss').addEventListener('click', () => { byId('action-error').hidden = true; });
    setInterval(tick, 1000);
    refresh();
  });
})();
