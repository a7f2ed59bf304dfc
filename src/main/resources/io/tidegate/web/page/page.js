'use strict';
// Tidegate's page. It draws itself from the JSON API every REFRESH_MS (api/v1/metrics, api/v1/status and
// Tidegate's api/v1/offline) and counts deadlines down every second on the server's clock. The big answers
// are parsed and described by a worker (groups.js), off this thread, which keeps the groups' values until a
// group is expanded. Every URL is relative to the page, so it works under any --web.route-prefix. Data goes
// into the page only as text (textContent), never as HTML. However many groups there are, the page draws at
// most `limit` rows of a table (more on request) and a group's families and values only while it is expanded,
// so drawing and filtering cost what is shown, not what is held.
(() => {
  const REFRESH_MS = 2000;
  const ANSWER_WAIT_MS = 10000;
  const ROWS_AT_ONCE = 100; // rows a table draws before "Show more"
  const SOON_MS = 60000; // "expiring within a minute"

  const byId = (id) => document.getElementById(id);
  const rows = new Map(); // grouping key, as text -> {row, group, detail}: the rows drawn so far
  const expanded = new Set(); // grouping keys, as text, whose values are shown
  let values = new Map(); // grouping key, as text -> the group as api/v1/metrics gave it, for the expanded ones
  let groups = []; // every live group, described, in grouping-key order
  let refusedKeys = [];
  let failedLastPush = 0; // live groups whose last push was refused
  let offline = {groups: [], tombstones: false};
  let groupLimit = ROWS_AT_ONCE;
  let offlineLimit = ROWS_AT_ONCE;
  let mqttEnabled = false;
  let lastRefresh = null;
  let deletions = 0; // an answer asked for before a deletion may still hold the deleted group
  let shownStatus = '';
  // the server's clock minus the browser's, in ms, known within [low, high]; see noteServerClock
  let offsetLow = -Infinity;
  let offsetHigh = Infinity;
  let clockOffset = 0;

  // ---- talking to the server ----

  // an answer's body, read by `read` once the server said yes; an error says which path failed and how
  async function fetchAnswer(path, read) {
    const sentAt = Date.now();
    let response;
    let body;
    try {
      response = await fetch(path, {cache: 'no-store', headers: {Accept: 'application/json'},
        signal: AbortSignal.timeout(ANSWER_WAIT_MS)});
      body = response.ok ? await read(response) : await response.text();
    } catch (e) {
      throw new Error(e.name === 'TimeoutError' ? `${path}: no answer within ${ANSWER_WAIT_MS / 1000} s`
          : `${path}: ${e.message}`);
    }
    if (!response.ok) {
      throw new Error(`${path} answered ${describeAnswer(response, body)}`);
    }
    noteServerClock(response.headers.get('Date'), sentAt, Date.now());
    return body;
  }

  async function fetchJson(path) {
    const text = await fetchAnswer(path, (response) => response.text());
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`${path} answered something that is not JSON`);
    }
  }

  // for the worker, which parses it
  const fetchBytes = (path) => fetchAnswer(path, (response) => response.arrayBuffer());

  // the worker that reads the big answers: a question and its answer are matched by id
  const reader = new Worker('static/groups.js');
  const waiting = new Map(); // id -> {resolve, reject}
  let asked = 0;
  reader.onmessage = (event) => {
    const receivedAt = performance.now(); // before the browser copies the answer in, on reading event.data
    const answer = event.data;
    answer.receivedAt = receivedAt;
    const question = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (answer.error) {
      question.reject(new Error(answer.error));
    } else {
      question.resolve(answer);
    }
  };
  reader.onerror = (event) => { // the worker's script did not load, or broke
    event.preventDefault();
    for (const question of waiting.values()) {
      question.reject(new Error(`the page's worker failed: ${event.message || 'static/groups.js did not load'}`));
    }
    waiting.clear();
  };

  function ask(question, transfer) {
    return new Promise((resolve, reject) => {
      question.id = ++asked;
      waiting.set(question.id, {resolve, reject});
      reader.postMessage(question, transfer || []);
    });
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

  // with many groups an answer takes a while to make and to read: then the page asks less often
  let refreshEvery = REFRESH_MS;

  async function refresh() {
    const started = performance.now();
    try {
      const deletionsBefore = deletions;
      const [metrics, status, gone] = await Promise.all([
        fetchBytes('api/v1/metrics'), fetchJson('api/v1/status'), fetchBytes('api/v1/offline')]);
      showStatus(status.data || {});
      const askedAt = performance.now();
      const withValues = [...expanded];
      const answer = await ask({metrics, offline: gone, expanded: withValues}, [metrics, gone]);
      performance.measure('tidegate-read', {start: askedAt, end: answer.receivedAt}); // in the worker, off this thread
      if (deletions === deletionsBefore) {
        takeGroups(answer, withValues);
        draw();
        document.body.getBoundingClientRect(); // the layout the browser does next anyway, counted in the measure
        // from taking the worker's answer in (the browser copies it), so all this thread did is counted
        performance.measure('tidegate-render', {start: answer.receivedAt});
      }
      showRejections(answer.rejections);
      lastRefresh = new Date();
      byId('unreachable').hidden = true;
      refreshEvery = Math.max(REFRESH_MS, Math.ceil((performance.now() - started) * 2 / 1000) * 1000);
      byId('refreshed').textContent = `Refreshed ${formatTime(lastRefresh)}, every ${refreshEvery / 1000} s`;
    } catch (e) {
      const banner = byId('unreachable');
      banner.textContent = `Cannot reach Tidegate: ${e.message}. `
          + (lastRefresh ? `Showing what it said at ${formatTime(lastRefresh)}; ` : '')
          + `trying again every ${refreshEvery / 1000} s.`;
      banner.hidden = false;
    } finally {
      setTimeout(refresh, refreshEvery);
    }
  }

  // ---- the model: groups as the worker describes them, once per refresh ----

  // what an expanded group shows: pushed families first, then Tidegate's gauges, each by name
  function familiesOf(entry) {
    return Object.entries(entry).filter(([, value]) => value && Array.isArray(value.metrics))
        .sort(([a], [b]) => (GATEWAY_FAMILIES.has(a) - GATEWAY_FAMILIES.has(b))
            || (a < b ? -1 : a > b ? 1 : 0));
  }

  // the key in lower case, made when a filter first looks for text
  const searchTextOf = (group) => group.searchText || (group.searchText = group.keyText.toLowerCase());

  function takeGroups(answer, withValues) {
    groups = answer.groups;
    refusedKeys = answer.refused;
    offline = {groups: answer.offline, tombstones: answer.tombstones};
    failedLastPush = 0;
    for (const group of groups) {
      failedLastPush += group.lastPushFailed ? 1 : 0;
    }
    values = new Map();
    withValues.forEach((key, i) => {
      if (answer.entries[i]) {
        values.set(key, answer.entries[i]);
      }
    });
    const current = new Set(groups.map((group) => group.keyText));
    for (const key of rows.keys()) {
      if (!current.has(key)) {
        forgetRow(key);
      }
    }
    for (const key of expanded) {
      if (!current.has(key)) {
        expanded.delete(key);
      }
    }
  }

  function forgetRow(key) {
    const shown = rows.get(key);
    if (shown) {
      shown.row.remove();
      shown.detail.remove();
      rows.delete(key);
    }
  }

  // ---- drawing ----

  // everything the model says, as the filter narrows it; cheap enough to run on every keystroke
  function draw() {
    const matches = parseFilter(byId('filter').value);
    drawGroups(groups.filter(matches));
    drawOffline(offline.groups.filter(matches));
    showRefused(refusedKeys);
    drawCounts();
    tick();
  }

  function drawGroups(matching) {
    const tbody = document.querySelector('#groups tbody');
    const shown = matching.slice(0, groupLimit);
    const wanted = [];
    for (const group of shown) {
      let drawn = rows.get(group.keyText);
      if (!drawn) {
        drawn = newRow(group);
        rows.set(group.keyText, drawn);
      }
      drawn.group = group;
      updateRow(drawn);
      wanted.push(drawn.row);
      if (expanded.has(group.keyText)) {
        wanted.push(drawn.detail);
      }
    }
    // rows drawn before but not wanted now leave the table; they are kept, so expanding or filtering back is quick
    const children = tbody.children;
    if (children.length !== wanted.length || wanted.some((row, i) => children[i] !== row)) {
      tbody.replaceChildren(...wanted); // only when the rows changed, so a focused button keeps its focus
    }
    const total = groups.length;
    const plural = (n) => (n === 1 ? 'group' : 'groups');
    byId('group-count').textContent = matching.length === total ? `${total} ${plural(total)}`
        : `${matching.length} of ${total} ${plural(total)} match`;
    const none = byId('no-groups');
    none.hidden = matching.length > 0;
    none.textContent = total === 0 ? 'No groups.' : 'No group matches the filter.';
    const more = byId('more-groups');
    more.hidden = matching.length <= shown.length;
    byId('more-groups-text').textContent = `Showing ${shown.length} of ${matching.length}; narrow the filter or`;
  }

  function newRow(group) {
    const row = document.createElement('tr');
    row.className = 'group';
    const toggle = cell(row, 'toggle');
    const expand = button('▸', 'expand', () => toggleValues(group.keyText));
    expand.setAttribute('aria-expanded', 'false');
    expand.title = 'Show the families and values';
    toggle.appendChild(expand);
    const key = cell(row, 'key');
    appendLabels(key, group.labels, group.names);
    for (const name of ['source mqtt-only', 'last-push', 'ttl', 'countdown', 'families number', 'series number']) {
      cell(row, name);
    }
    const countdown = row.querySelector('td.countdown');
    const left = document.createElement('span');
    left.className = 'left';
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    const fill = document.createElement('div');
    fill.className = 'fill';
    bar.appendChild(fill);
    countdown.append(left, bar);
    const actions = cell(row, 'actions');
    actions.appendChild(deleteButton(actions, group.keyText));
    const detail = document.createElement('tr');
    detail.className = 'detail';
    const detailCell = document.createElement('td');
    detailCell.colSpan = 9;
    detail.appendChild(detailCell);
    return {row, detail, group, countdown: {cell: countdown, left, bar, fill}};
  }

  function appendLabels(parent, labels, names) {
    for (const name of names) {
      if (parent.firstChild) {
        parent.append(' '); // so a copied key, and a screen reader, keeps the labels apart
      }
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = `${formatLabelName(name)}="${quoteLabelValue(labels[name])}"`;
      parent.appendChild(label);
    }
  }

  function cell(row, className) {
    const td = document.createElement('td');
    td.className = className;
    row.appendChild(td);
    return td;
  }

  function updateRow(drawn) {
    const {row, group} = drawn;
    // the entry's fields but its values: when they are as drawn, the row is (and an expanded group redraws its values)
    const looks = [group.pushedAt, group.lastPushFailed, group.deadline, group.ttls.join(), group.familyNames,
      group.series, group.topic, group.retained, group.via].join('|');
    if (drawn.looks === looks) {
      if (expanded.has(group.keyText)) {
        drawValues(drawn);
      }
      return;
    }
    drawn.looks = looks;
    showSource(row.querySelector('td.source'), group);
    const lastPush = row.querySelector('td.last-push');
    const pushed = group.pushedAt > 0 ? new Date(group.pushedAt) : null;
    lastPush.textContent = pushed ? formatTime(pushed) : 'never';
    lastPush.title = pushed ? pushed.toISOString() : '';
    if (group.lastPushFailed) {
      lastPush.append(' ', mark('last push failed', 'failed', 'The last push to this group was refused'));
    }
    row.classList.toggle('refused', group.lastPushFailed);
    row.querySelector('td.ttl').textContent = group.ttls.length === 0 ? 'none'
        : group.ttls.map((seconds) => formatDuration(seconds, '')).join(' – ');
    drawn.countdown.cell.title = group.deadline === null ? 'No deadline: no TTL'
        : `Deadline ${new Date(group.deadline).toISOString()}`;
    const families = row.querySelector('td.families');
    families.textContent = String(group.families);
    families.title = group.familyNames;
    row.querySelector('td.series').textContent = String(group.series);
    if (expanded.has(group.keyText)) {
      drawValues(drawn);
    }
  }

  function showSource(source, group) {
    source.replaceChildren();
    if (group.topic === null) {
      source.textContent = group.via ? `HTTP via ${group.via}` : 'HTTP';
      return;
    }
    source.append('MQTT ');
    const topic = document.createElement('span');
    topic.className = 'topic';
    topic.textContent = group.topic;
    source.appendChild(topic);
    if (group.retained) {
      source.append(' ', mark('retained', '', 'A retained message: the broker\'s stored copy, of unknown age'));
    }
  }

  function mark(text, className, title) {
    const span = document.createElement('span');
    span.className = `mark ${className}`.trim();
    span.textContent = text;
    span.title = title;
    return span;
  }

  // every second: the time left to each deadline drawn, on the server's clock, as text and as a bar
  function tick() {
    const now = serverNow();
    for (const drawn of rows.values()) {
      if (drawn.row.isConnected) {
        showCountdown(drawn, now);
      }
    }
    for (const row of document.querySelectorAll('#offline tbody tr')) {
      const deadline = Number(row.dataset.deadline);
      const overdue = Math.floor((now - deadline) / 1000);
      row.querySelector('td.overdue').textContent = overdue < 1 ? '0s' : formatDuration(overdue, ' ');
    }
    byId('count-soon').querySelector('.n').textContent = String(countSoon(now));
  }

  function showCountdown(drawn, now) {
    const {group, row} = drawn;
    const {left, bar, fill} = drawn.countdown;
    if (group.deadline === null) {
      left.textContent = 'never';
      bar.hidden = true;
      return;
    }
    const leftMs = group.deadline - now;
    const span = group.pushedAt > 0 ? group.deadline - group.pushedAt : 0;
    const share = leftMs <= 0 ? 0 : span > 0 ? Math.min(1, leftMs / span) : 1;
    const state = leftMs <= 0 ? 'overdue' : leftMs < SOON_MS ? 'soon' : 'ok';
    row.classList.toggle('expired', leftMs <= 0);
    left.textContent = leftMs <= 0 ? 'expired' : formatDuration(Math.ceil(leftMs / 1000), ' ');
    left.className = `left ${state}`;
    bar.hidden = false;
    bar.className = `bar ${state}`;
    fill.style.width = `${leftMs <= 0 ? 100 : Math.round(share * 1000) / 10}%`; // an overdue bar is full, hatched
    bar.setAttribute('aria-valuenow', String(Math.round(share * 100)));
    bar.setAttribute('aria-valuetext', left.textContent);
  }

  function countSoon(now) {
    let soon = 0;
    for (const group of groups) {
      if (group.deadline !== null && group.deadline > now && group.deadline - now < SOON_MS) {
        soon++;
      }
    }
    return soon;
  }

  function drawCounts() {
    byId('count-live').querySelector('.n').textContent = String(groups.length);
    byId('count-offline').querySelector('.n').textContent = String(offline.groups.length);
    const refused = refusedKeys.length + failedLastPush;
    byId('count-refused').querySelector('.n').textContent = String(refused);
    byId('count-refused').classList.toggle('some', refused > 0);
  }

  // ---- a group's values, drawn only while it is expanded ----

  function toggleValues(keyText) {
    const drawn = rows.get(keyText);
    if (expanded.has(keyText)) {
      expanded.delete(keyText);
      drawn.detail.remove();
    } else {
      expanded.add(keyText);
      drawValues(drawn);
      drawn.row.after(drawn.detail);
    }
    const expand = drawn.row.querySelector('button.expand');
    expand.textContent = expanded.has(keyText) ? '▾' : '▸';
    expand.setAttribute('aria-expanded', String(expanded.has(keyText)));
  }

  // from the last refresh's answer, or else asked of the worker (a group expanded since)
  function drawValues(drawn) {
    const group = drawn.group;
    const entry = values.get(group.keyText);
    if (entry) {
      drawn.detail.firstChild.replaceChildren(
          ...familiesOf(entry).map(([name, family]) => drawFamily(name, family, group.labels)));
      return;
    }
    ask({values: [group.keyText]}).then((answer) => {
      const asked = answer.entries[0];
      if (asked && expanded.has(group.keyText) && rows.get(group.keyText) === drawn) {
        values.set(group.keyText, asked);
        drawValues(drawn);
      }
    }, (e) => showActionError(`Reading the values of ${group.keyText} failed: ${e.message}`));
  }

  // a series' labels but those of its group, which the group's row shows already
  function drawFamily(name, family, groupLabels) {
    const box = document.createElement('div');
    box.className = 'family';
    const head = document.createElement('div');
    head.className = 'family-head';
    const title = document.createElement('span');
    title.className = 'family-name';
    title.textContent = name;
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = String(family.type || '').toLowerCase();
    head.append(title, ' ', type);
    if (family.help) {
      const help = document.createElement('span');
      help.className = 'help';
      help.textContent = family.help;
      head.append(' ', help);
    }
    const when = document.createElement('span');
    when.className = 'quiet';
    const pushed = new Date(family.time_stamp);
    // a time of 0 is upstream's "never" (push_failure_time_seconds of a group never refused)
    const parts = [];
    if (pushed.getTime() > 0) {
      parts.push(`pushed ${formatTime(pushed)}`);
    }
    if (family.ttl_seconds !== undefined) {
      parts.push(`TTL ${formatDuration(Number(family.ttl_seconds), '')}`);
    }
    if (family.deadline) {
      parts.push(`deadline ${formatTime(new Date(family.deadline))}`);
    }
    when.textContent = parts.join(', ');
    head.append(' ', when);
    const table = document.createElement('table');
    table.className = 'series';
    const thead = table.createTHead().insertRow();
    for (const heading of ['Labels', 'Value']) {
      const th = document.createElement('th');
      th.textContent = heading;
      thead.appendChild(th);
    }
    const tbody = table.createTBody();
    for (const metric of family.metrics) {
      const row = tbody.insertRow();
      const labels = cell(row, 'labels');
      const metricLabels = metric.labels || {};
      const own = Object.keys(metricLabels).filter((label) => groupLabels[label] !== metricLabels[label]);
      appendLabels(labels, metricLabels, own.sort());
      drawValue(cell(row, 'value'), metric);
    }
    box.append(head, table);
    return box;
  }

  // a number, or for a summary its quantiles and for a histogram its buckets (a native one's as intervals), each with
  // count and sum (as upstream)
  function drawValue(td, metric) {
    if (metric.value !== undefined) {
      td.textContent = metric.value;
      return;
    }
    const pairs = [];
    if (metric.quantiles) {
      for (const [quantile, value] of Object.entries(metric.quantiles).sort((a, b) => Number(a[0]) - Number(b[0]))) {
        pairs.push([`quantile ${quantile}`, value]);
      }
      pairs.push(['count', metric.count], ['sum', metric.sum]);
    } else if (Array.isArray(metric.buckets)) {
      // a native histogram: [boundaries, lower, upper, count], lowest first; boundaries says which ends are inside
      const ends = [['(', ']'], ['[', ')'], ['(', ')'], ['[', ']']];
      for (const [boundaries, lower, upper, count] of metric.buckets) {
        const [open, close] = ends[boundaries] || ends[0];
        pairs.push([`${open}${lower}, ${upper}${close}`, count]);
      }
      pairs.push(['count', metric.count], ['sum', metric.sum]);
    } else if (metric.buckets) {
      const upper = (bound) => (bound === '+Inf' ? Infinity : Number(bound));
      for (const [bound, count] of Object.entries(metric.buckets).sort((a, b) => upper(a[0]) - upper(b[0]))) {
        pairs.push([`≤ ${bound}`, count]);
      }
      pairs.push(['count', metric.count], ['sum', metric.sum]);
    }
    const table = document.createElement('table');
    table.className = 'distribution';
    for (const [name, value] of pairs) {
      const row = table.insertRow();
      const th = document.createElement('th');
      th.textContent = name;
      row.appendChild(th);
      cell(row, 'number').textContent = value;
    }
    td.appendChild(table);
  }

  // ---- offline ----

  function drawOffline(matching) {
    const tbody = document.querySelector('#offline tbody');
    const shown = matching.slice(0, offlineLimit);
    tbody.replaceChildren(...shown.map((group) => {
      const row = document.createElement('tr');
      row.dataset.deadline = String(group.deadline);
      appendLabels(cell(row, 'key'), group.labels, group.names);
      const source = cell(row, 'source mqtt-only');
      source.textContent = group.topic === null ? 'HTTP' : `MQTT ${group.topic}`;
      const seen = cell(row, 'last-seen');
      const lastPush = group.lastPush === null ? null : new Date(group.lastPush);
      seen.textContent = lastPush ? formatTime(lastPush) : 'unknown';
      seen.title = lastPush ? lastPush.toISOString() : 'Expired before Tidegate kept the last push time';
      const expired = cell(row, 'expired');
      expired.textContent = formatTime(new Date(group.deadline));
      expired.title = group.tombstoneUntil === null ? new Date(group.deadline).toISOString()
          : `push_expired_time_seconds shows until ${new Date(group.tombstoneUntil).toISOString()}`;
      cell(row, 'overdue');
      return row;
    }));
    const total = offline.groups.length;
    byId('offline-explained').textContent = offline.tombstones
        ? 'Groups whose deadline passed, while their tombstone (--ttl.tombstone) lasts; '
            + 'push_expired_time_seconds says so on /metrics. Latest first.'
        : 'The last 100 groups whose deadline passed, latest first, kept in memory since Tidegate started. '
            + 'With --ttl.tombstone, expired groups stay here for that long and push_expired_time_seconds says so on /metrics.';
    const none = byId('no-offline');
    none.hidden = matching.length > 0;
    none.textContent = total === 0 ? 'No group has expired.' : 'No offline group matches the filter.';
    byId('offline').hidden = matching.length === 0;
    byId('more-offline').hidden = matching.length <= shown.length;
    byId('more-offline-text').textContent = `Showing ${shown.length} of ${matching.length}; narrow the filter or`;
  }

  // keys Tidegate refused every push to: never pushed, holding nothing, with no clock running
  function showRefused(refused) {
    const tbody = document.querySelector('#refused tbody');
    tbody.replaceChildren(...refused.map((group) => {
      const row = document.createElement('tr');
      cell(row, 'key').textContent = group.keyText;
      cell(row, 'source').textContent = group.topic === null ? 'HTTP' : `MQTT ${group.topic}`;
      const when = cell(row, 'last-failure');
      const failed = group.failedAt > 0 ? new Date(group.failedAt) : null;
      when.textContent = failed ? formatTime(failed) : '';
      when.title = failed ? failed.toISOString() : '';
      cell(row, 'state').append(mark('refused, never pushed', 'failed',
          'Every push to this key was refused: it holds no metrics, has no deadline and never expires'));
      return row;
    }));
    byId('refused-section').hidden = refused.length === 0;
  }

  // ---- deleting a group: DELETE on its push path, as upstream's "Delete Group" ----

  function deleteButton(actions, keyText) {
    const b = button('Delete group', 'delete', () => askToDelete(actions, keyText));
    b.title = 'Delete this group now (DELETE on its push path)';
    return b;
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
    const reset = () => actions.replaceChildren(deleteButton(actions, keyText));
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
      groups = groups.filter((group) => group.keyText !== keyText);
      failedLastPush -= shown.group.lastPushFailed ? 1 : 0;
      expanded.delete(keyText);
      forgetRow(keyText);
      draw();
    } catch (e) {
      reset();
      showActionError(`Deleting group ${keyText} failed: ${e.message}`);
    }
  }

  // every value in base64url, as the push API reads "<label>@base64/<value>", so any value works; a UTF-8 label
  // name in the U__ encoding, so any name works too
  function deletePath(labels) {
    let path = `metrics/job@base64/${base64Url(labels.job || '')}`;
    for (const [name, value] of Object.entries(labels)) {
      if (name !== 'job') {
        path += `/${encodeURIComponent(pathLabelName(name) + '@base64')}/${base64Url(value)}`;
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
        terms.push((group) => searchTextOf(group).includes(needle));
      }
    }
    return (group) => terms.every((term) => term(group));
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
    groupLimit = ROWS_AT_ONCE;
    offlineLimit = ROWS_AT_ONCE;
    performance.mark('tidegate-filter-start');
    draw();
    document.body.getBoundingClientRect();
    performance.measure('tidegate-filter', 'tidegate-filter-start');
  }

  // ---- status, rejections ----

  function showStatus(data) {
    showPersistenceFailure(data.persistence_failure);
    mqttEnabled = data.mqtt_enabled === true;
    document.body.classList.toggle('no-mqtt', !mqttEnabled);
    byId('rejections-section').hidden = !mqttEnabled;
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
    fillPairs('flags', Object.entries(data.flags || {}));
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
      draw();
    });
    byId('action-error-dismiss').addEventListener('click', () => { byId('action-error').hidden = true; });
    byId('more-groups-button').addEventListener('click', () => { groupLimit += ROWS_AT_ONCE * 5; draw(); });
    byId('more-offline-button').addEventListener('click', () => { offlineLimit += ROWS_AT_ONCE * 5; draw(); });
    for (const count of document.querySelectorAll('#counts .count')) {
      count.addEventListener('click', () => byId(count.dataset.section).scrollIntoView({behavior: 'smooth'}));
    }
    setInterval(tick, 1000);
    refresh();
  });
})();
