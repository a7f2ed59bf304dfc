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
    text += `${i === 0 ? '' : ', '}${formatLabelName(names[i])}="${quoteLabelValue(labels[names[i]])}"`;
  }
  return text + '}';
}

const NEEDS_QUOTING = /[\\"\n]/;

function quoteLabelValue(value) {
  const text = String(value);
  return NEEDS_QUOTING.test(text) ? text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : text;
}

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// a label name as upstream's page shows it (formatLabelName of handler/status.go): as it is when it is a legacy
// name, in double quotes, escaped, when it is a UTF-8 name (--push.enable-utf8-names)
function formatLabelName(name) {
  return LEGACY_LABEL_NAME.test(name) ? name : `"${quoteLabelValue(name)}"`;
}

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

// a label name as a push path carries it: a legacy name as it is, any other in the U__ value encoding that the
// push API decodes with --push.enable-utf8-names (prometheus/common model.EscapeName, ValueEncodingEscaping), so
// a name holding a slash or a percent sign still names its label
function pathLabelName(name) {
  if (LEGACY_METRIC_NAME.test(name)) {
    return name;
  }
  let escaped = 'U__';
  let first = true;
  for (const character of name) {
    const code = character.codePointAt(0);
    if (character === '_') {
      escaped += '__';
    } else if (/[a-zA-Z:]/.test(character) || (!first && /[0-9]/.test(character))) {
      escaped += character;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      escaped += '_FFFD_'; // a lone surrogate: Go's utf8.RuneError
    } else {
      escaped += `_${code.toString(16)}_`;
    }
    first = false;
  }
  return escaped;
}
