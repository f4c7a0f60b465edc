// The hub's explorer: GraphiQL with the client kit's operations as tabs, asking /graphql as the chosen identity
// (subscriptions: /graphql/stream, each event shown as it arrives).
// Plain browser JavaScript, served as is (no build step), like the GraphiQL and React files it runs with.
'use strict';
(function () {
  const config = JSON.parse(document.getElementById('hub-config').textContent);
  const identity = window.HubIdentity.setUp(config, onIdentity);
  const status = document.getElementById('status');

  /** Default variables for an operation: the chosen grid (and its street) where the operation asks for them. */
  function defaultVariables(text, grid) {
    const variables = {};
    const definitions = /^[^{]*\(([^)]*)\)/.exec(text);
    for (const [, name] of (definitions ? definitions[1] : '').matchAll(/\$(\w+)\s*:/g)) {
      if (name === 'code' || name === 'gridCode') variables[name] = grid || '';
      else if (name === 'streetCode') variables[name] = grid ? `${grid.slice(0, 9)}000` : '';
      else if (name === 'first') variables[name] = 10;
    }
    return JSON.stringify(variables, null, 2);
  }

  /** Every answer, summed up beside the identity: how many errors, and which fields were refused to this role. */
  function describe(answer) {
    const errors = answer.errors || [];
    const refused = errors.filter((e) => e.extensions && e.extensions.code === 'FORBIDDEN').map((e) => (e.path || []).join('.'));
    status.textContent = errors.length === 0 ? 'answered in full' : `${errors.length} error(s)${refused.length ? `; refused to this role: ${refused.join(', ')}` : `: ${errors[0].extensions && errors[0].extensions.code}`}`;
    status.dataset.refused = refused.join(',');
  }

  /** Whether the operation GraphiQL runs is a subscription: it then goes to the SSE endpoint, events shown as they come. */
  function isSubscription(params) {
    const name = params.operationName ? `\\s+${params.operationName}\\b` : '\\b';
    return new RegExp(`(^|\\n|\\})\\s*subscription${name}`).test(params.query || '');
  }

  async function* streamed(params) {
    let count = 0;
    status.textContent = 'subscribed: events appear as they are committed';
    for await (const payload of window.HubStream.subscribe(config.streamPath, identity.headers(), params)) {
      if (payload.data) {
        count++;
        status.textContent = `${count} event(s) received, live`;
        status.dataset.events = String(count);
      } else describe(payload);
      yield payload;
    }
  }

  const asked = async (params) => {
    const response = await fetch(config.graphqlPath, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json' }, identity.headers()),
      body: JSON.stringify(params),
    });
    const answer = await response.json();
    if (params.operationName !== 'IntrospectionQuery') describe(answer);
    return answer;
  };
  const fetcher = (params) => (isSubscription(params) ? streamed(params) : asked(params));

  // GraphiQL keeps tabs in storage; an in-memory one makes every visit start from the client kit.
  const memory = new Map();
  const storage = {
    getItem: (key) => (memory.has(key) ? memory.get(key) : null),
    setItem: (key, value) => memory.set(key, String(value)),
    removeItem: (key) => memory.delete(key),
    clear: () => memory.clear(),
    get length() {
      return memory.size;
    },
  };

  let root = null;
  function render() {
    const chosen = new URLSearchParams(location.search).get('operation');
    const operations = config.operations.slice().sort((a, b) => (a.name === chosen ? -1 : b.name === chosen ? 1 : 0));
    const grid = identity.grid();
    // Each tab holds the manifest's document unchanged, so it runs even where only trusted documents run (its text
    // hashes to its id); an edited one is an ad-hoc operation, for the roles allowed those.
    const tabs = operations.map((o) => ({ query: o.document, variables: defaultVariables(o.document, grid) }));
    const element = document.getElementById('graphiql');
    if (root) root.unmount();
    memory.clear();
    root = ReactDOM.createRoot(element);
    // GraphiQL 3 fills the first tab's editors from `query` and `variables`, not from its default tab.
    const first = tabs[0] || { query: '', variables: '' };
    root.render(React.createElement(GraphiQL, { fetcher, defaultTabs: tabs, query: first.query, variables: first.variables, storage, shouldPersistHeaders: false, defaultEditorToolsVisibility: 'variables' }));
  }

  function onIdentity() {
    status.textContent = identity.token() ? '' : 'choose an identity: every question needs a bearer token';
    if (identity.token()) render();
  }
})();
