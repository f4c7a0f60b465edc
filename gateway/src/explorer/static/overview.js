// The overview page: a grid's or a street's figures from every department as charts, asked through /graphql as the
// chosen identity with the client kit's operations (sent by their trusted-document ids), drawn as plain SVG.
'use strict';
(function () {
  const config = JSON.parse(document.getElementById('hub-config').textContent);
  const identity = window.HubIdentity.setUp(config, show);
  const figures = document.getElementById('figures');
  const placeCode = document.getElementById('place-code');
  const SVG = 'http://www.w3.org/2000/svg';

  function svg(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A horizontal bar chart of label → count. */
  function barChart(id, rows) {
    const barHeight = 22;
    const labelWidth = 200;
    const width = 360;
    const max = Math.max(1, ...rows.map(([, n]) => n));
    const chart = svg('svg', { class: 'chart', 'data-chart': id, width, height: rows.length * barHeight + 4, role: 'img' });
    rows.forEach(([label, count], i) => {
      const y = i * barHeight + 2;
      chart.append(svg('text', { x: 0, y: y + 15 }, label));
      chart.append(svg('rect', { x: labelWidth, y: y + 3, height: barHeight - 8, width: Math.max(1, ((width - labelWidth - 40) * count) / max) }));
      chart.append(svg('text', { x: labelWidth + ((width - labelWidth - 40) * count) / max + 4, y: y + 15 }, String(count)));
    });
    return chart;
  }

  function panel(title, total, chart) {
    const section = document.createElement('div');
    section.className = 'figure';
    const heading = document.createElement('h2');
    heading.textContent = title;
    section.append(heading);
    if (total === null) {
      const refused = document.createElement('p');
      refused.className = 'refused';
      refused.textContent = 'not visible to your role';
      section.append(refused);
      return section;
    }
    const number = document.createElement('div');
    number.className = 'total';
    number.textContent = String(total);
    section.append(number);
    if (chart) section.append(chart);
    return section;
  }

  /** One trusted document, by its id in the manifest, under the chosen identity. */
  async function ask(name, variables) {
    const response = await fetch(config.graphqlPath, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json' }, identity.headers()),
      body: JSON.stringify({ documentId: `sha256:${config.documentIds[name]}`, variables }),
    });
    return response.json();
  }

  const problem = (answer) => (answer.errors && answer.errors.find((e) => !e.extensions || e.extensions.code !== 'FORBIDDEN')) || null;

  async function draw() {
    // A 15-digit code is a grid, a 12-digit one ending in 000 a street; the grid of the identity bar by default.
    const code = placeCode.value.trim() || identity.grid();
    placeCode.value = code;
    figures.replaceChildren();
    const status = document.getElementById('status');
    if (!identity.token() || !code) return;
    const isStreet = /^\d{9}000$/.test(code);
    const [overview, cases] = isStreet
      ? [await ask('StreetOverview', { code }), null]
      : await Promise.all([ask('GridOverview', { code }), ask('GridCaseCounts', { code })]);
    const place = overview.data && (isStreet ? overview.data.street : overview.data.grid);
    if (!place) {
      const failure = problem(overview) || (overview.errors && overview.errors[0]);
      status.textContent = failure ? `${failure.extensions && failure.extensions.code}: ${failure.message}` : `${code}: not found, or not one of yours`;
      return;
    }
    status.textContent = isStreet ? `${place.name} (${place.code})` : `${place.name} (${place.code}), ${place.community.name}`;
    const p = place.population;
    const party = isStreet ? place.partyMemberCounts : place.partyMembers;
    const w = place.welfareCounts;
    const h = place.housingCounts;
    const c = isStreet ? place.caseCounts : cases && cases.data && cases.data.grid && cases.data.grid.caseCounts;
    const o = place.organizationCounts;
    figures.append(
      panel('Residents by type 人口类型', p && p.total, p && barChart('population', [['registered 户籍', p.registered], ['floating 流动', p.floating], ['overseas 境外', p.overseas], ['unsettled 未落户', p.unsettled]])),
      panel('Party members 党员', party ? (isStreet ? party.total : party.totalCount) : null, null),
      panel('Welfare recipients 救助对象', w && w.total, w && barChart('welfare', [['minimum living 低保', w.minimumLiving], ['extreme poverty 特困', w.extremePoverty], ['disability living 残疾生活', w.disabilityLiving], ['disability care 残疾护理', w.disabilityCare], ['old age 高龄', w.oldAge]])),
      panel('Group rentals by status 群租', h && h.groupRentalsByStatus.total, h && barChart('group-rentals', [['identified 已发现', h.groupRentalsByStatus.identified], ['interviewed 已约谈', h.groupRentalsByStatus.interviewed], ['rectified 已整改', h.groupRentalsByStatus.rectified]])),
      panel('Cases by status 案件状态', c && c.total, c && barChart('case-status', c.byStatus.map((x) => [x.status, x.count]))),
      panel('Overdue cases 超期案件', c && c.overdue, null),
    );
    const categories = place.caseCounts;
    if (categories) figures.append(panel(isStreet ? 'Cases by category 案件类别' : 'Open cases by category 在办案件', categories.total, barChart('case-category', categories.byCategory.map((x) => [x.category, x.count]))));
    else figures.append(panel('Cases by category 案件类别', null, null));
    if (!isStreet) figures.append(panel('Organizations by kind 组织', o && o.total, o && barChart('organizations', o.byKind.map((x) => [x.kind, x.count]))));
  }

  /**
   * Live figures: the place's case events as they commit (a grid's by filter, a street's by the grid codes' prefix)
   * draw the figures again, at most once per second. A new place or identity ends the previous stream.
   */
  let following = null;
  function follow() {
    if (following) following.abort();
    following = null;
    const code = placeCode.value.trim();
    if (!config.liveDocument || !identity.token() || !code) return;
    const controller = new AbortController();
    following = controller;
    const isStreet = /^\d{9}000$/.test(code);
    const variables = isStreet ? {} : { filter: { gridCodes: [code] } };
    let timer = null;
    let updates = 0;
    (async () => {
      for await (const payload of window.HubStream.subscribe(config.streamPath, identity.headers(), { query: config.liveDocument, variables }, controller.signal)) {
        const event = payload.data && payload.data.caseEvents;
        if (!event || !event.node.case.grid.code.startsWith(isStreet ? code.slice(0, 9) : code)) continue;
        if (timer) continue;
        timer = setTimeout(async () => {
          timer = null;
          await draw();
          figures.dataset.updates = String(++updates);
        }, 1000);
      }
    })().catch(() => {});
  }

  async function show() {
    await draw();
    follow();
  }

  document.getElementById('place').addEventListener('submit', (event) => {
    event.preventDefault();
    void show();
  });
})();
