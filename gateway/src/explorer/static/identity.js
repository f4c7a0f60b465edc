// The identity bar shared by the explorer and the overview page: a pasted bearer token, or (development only) a
// demo token minted by the gateway for a chosen role and grid; and the purpose declared with every request.
'use strict';
window.HubIdentity = {
  setUp(config, onChange) {
    const $ = (id) => document.getElementById(id);
    const params = new URLSearchParams(location.search);
    const state = { token: sessionStorage.getItem('hub-token') || '', purpose: params.get('purpose') || sessionStorage.getItem('hub-purpose') || '', grid: params.get('grid') || sessionStorage.getItem('hub-grid') || '' };

    function fillPurposes(role) {
      const purposes = role ? role.purposes : [...new Set(config.roles.flatMap((r) => r.purposes))];
      $('purpose').replaceChildren(new Option('(none)', ''), ...purposes.map((p) => new Option(p, p)));
      if (purposes.includes(state.purpose)) $('purpose').value = state.purpose;
      else if (role && purposes.length > 0) $('purpose').value = state.purpose = purposes[0];
    }

    $('token').value = state.token;
    $('grid').value = state.grid;
    fillPurposes(null);
    $('token').addEventListener('change', () => {
      state.token = $('token').value.trim();
      sessionStorage.setItem('hub-token', state.token);
      onChange();
    });
    $('purpose').addEventListener('change', () => {
      state.purpose = $('purpose').value;
      sessionStorage.setItem('hub-purpose', state.purpose);
      onChange();
    });

    async function mint() {
      const role = config.roles.find((r) => r.name === $('role').value);
      state.grid = $('grid').value.trim();
      sessionStorage.setItem('hub-grid', state.grid);
      fillPurposes(role);
      const response = await fetch(config.tokenPath, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: role.name, grid: role.ownGridsOnly ? state.grid : '', purpose: state.purpose }),
      });
      const answer = await response.json();
      if (!response.ok) {
        $('status').textContent = `no token: ${answer.error}`;
        return;
      }
      state.token = answer.token;
      $('token').value = state.token;
      sessionStorage.setItem('hub-token', state.token);
      sessionStorage.setItem('hub-purpose', state.purpose);
      onChange();
    }

    if (config.tokenPath) {
      $('picker').hidden = false;
      $('role').replaceChildren(...config.roles.map((r) => new Option(r.unit ? `${r.name} (${r.unit})` : r.name, r.name)));
      if (params.get('role')) $('role').value = params.get('role');
      $('identity').addEventListener('submit', (event) => {
        event.preventDefault();
        void mint();
      });
    }
    const identity = {
      token: () => state.token,
      grid: () => state.grid,
      headers: () => Object.assign({ authorization: `Bearer ${state.token}` }, state.purpose ? { 'x-hub-purpose': state.purpose } : {}),
    };
    // A link naming a role (`/explorer?role=grid-worker&grid=…`) mints at once; otherwise the stored token is used.
    if (config.tokenPath && params.get('role')) setTimeout(() => void mint(), 0);
    else setTimeout(onChange, 0);
    return identity;
  },
};
