'use strict';
// What the page (page.js) and the worker that reads the API's answers (groups.js) both know of a group: how
// its grouping key is written (job first, then the other labels by name, each as name="value"), and which of
// its families are the gauges Tidegate adds.

// the gauges Tidegate adds to every group: shown with its values, last, and not counted as what was pushed
const GATEWAY_FAMILIES = new Set([
  'push_time_seconds', 'push_failure_time_seconds', 'push_expiry_time_seconds', 'push_expired_time_seconds']);

// groups mostly share one set of label names, so each set is sorted once
const sortedLabelNameSets = new Map();
const labelNameOrder = new Intl.Collator();

function sortedLabelNames(labels) {
  const names = Object.keys(labels);
  const signature = names.join(',');
  let sorted = sortedLabelNameSets.get(signature);
  if (!sorted) {
    if (sortedLabelNameSets.size >= 1000) {
      sortedLabelNameSets.clear(); // a bound, for a fleet of ever new label names
    }
    sorted = names.sort((a, b) => (a === 'job' ? -1 : b === 'job' ? 1 : labelNameOrder.compare(a, b)));
    sortedLabelNameSets.set(signature, sorted);
  }
  return sorted;
}

function keyTextOf(labels, names) {
  let text = '{';
  for (let i = 0; i < names.length; i++) {
    text += `${i === 0 ? '' : ', '}${names[i]}="${quoteLabelValue(labels[names[i]])}"`;
  }
  return text + '}';
}

const NEEDS_QUOTING = /[\\"\n]/;

function quoteLabelValue(value) {
  const text = String(value);
  return NEEDS_QUOTING.test(text) ? text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : text;
}
