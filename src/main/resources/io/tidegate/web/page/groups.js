'use strict';
// The worker that reads the page's big answers, off the page's thread: api/v1/metrics (5 MB for 10,000
// groups) and api/v1/offline arrive here as bytes, are parsed and described, and go back to the page as a
// list of small group descriptions; a group's families and values stay here until the page asks for them
// (only for the groups expanded). So the page stays responsive however many groups there are.
importScripts('grouping.js');

let entries = new Map(); // grouping key, as text -> the group as api/v1/metrics gave it

self.onmessage = (event) => {
  const request = event.data;
  let reply;
  try {
    reply = request.values ? {entries: request.values.map((key) => entries.get(key) || null)} : read(request);
  } catch (e) {
    reply = {error: e.message};
  }
  reply.id = request.id;
  self.postMessage(reply);
};

function parse(bytes, path) {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${path} answered something that is not JSON`);
  }
}

// both answers, described; with the families and values of the groups the page has expanded
function read({metrics, offline, expanded}) {
  const metricsAnswer = parse(metrics, 'api/v1/metrics');
  const offlineAnswer = parse(offline, 'api/v1/offline');
  const groups = [];
  const refused = [];
  entries = new Map();
  for (const entry of metricsAnswer.data || []) {
    const group = describeGroup(entry);
    entries.set(group.keyText, entry);
    (group.neverPushed ? refused : groups).push(group);
  }
  return {
    groups,
    refused,
    offline: (offlineAnswer.data || []).map(describeOffline),
    tombstones: Boolean(offlineAnswer.tombstones),
    rejections: metricsAnswer.mqtt_rejections || [],
    entries: expanded.map((key) => entries.get(key) || null),
  };
}

// what the counts, the filter and a group's row show; times in ms since the epoch, 0 for never
function describeGroup(entry) {
  const labels = entry.labels || {};
  const names = sortedLabelNames(labels);
  let series = 0;
  const familyNames = [];
  const ttls = [];
  const gatewayTtls = [];
  for (const name in entry) {
    const family = entry[name];
    if (!family || !Array.isArray(family.metrics)) {
      continue;
    }
    const ttl = family.ttl_seconds === undefined ? null : Number(family.ttl_seconds);
    if (GATEWAY_FAMILIES.has(name)) {
      if (ttl !== null) {
        gatewayTtls.push(ttl);
      }
    } else {
      familyNames.push(name);
      series += family.metrics.length;
      if (ttl !== null) {
        ttls.push(ttl);
      }
    }
  }
  // the group's deadline, the latest of its families', is the one its push time gauge carries: the group
  // is gone when it passes; none when a family has no deadline
  const pushGauge = entry.push_time_seconds;
  const pushTime = pushGauge && pushGauge.metrics[0];
  const pushedAt = pushTime ? Number(pushTime.value) * 1000 : 0;
  const failureTime = entry.push_failure_time_seconds && entry.push_failure_time_seconds.metrics[0];
  const lastPushFailed = entry.last_push_successful === false;
  const source = entry['@source'] || null;
  const allTtls = familyNames.length ? ttls : gatewayTtls;
  return {
    labels,
    names,
    keyText: keyTextOf(labels, names),
    deadline: pushGauge && pushGauge.deadline ? Date.parse(pushGauge.deadline) : null,
    pushedAt,
    failedAt: failureTime ? Number(failureTime.value) * 1000 : 0,
    lastPushFailed,
    // a key whose every push was refused: it holds nothing and has no deadline, so it is no live group
    neverPushed: pushedAt === 0 && lastPushFailed,
    ttls: allTtls.length < 2 ? allTtls : [...new Set(allTtls)].sort((a, b) => a - b),
    familyNames: familyNames.join(', '),
    families: familyNames.length,
    series,
    topic: source && source.kind === 'mqtt' ? source.topic : null,
    retained: Boolean(source && source.retained),
    via: source && source.via ? source.via : null,
  };
}

function describeOffline(entry) {
  const labels = entry.labels || {};
  const names = sortedLabelNames(labels);
  const source = entry['@source'];
  return {
    labels,
    names,
    keyText: keyTextOf(labels, names),
    lastPush: entry.last_push_time ? Date.parse(entry.last_push_time) : null,
    deadline: Date.parse(entry.deadline),
    tombstoneUntil: entry.tombstone_until ? Date.parse(entry.tombstone_until) : null,
    topic: source && source.kind === 'mqtt' ? source.topic : null,
  };
}
