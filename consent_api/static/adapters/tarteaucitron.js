/* cookie-audit adapter for tarteaucitron.js: posts each choice to the consent API. Load it before
 * tarteaucitron.init(): <script src="https://API/adapters/tarteaucitron.js" data-site-key="KEY">
 * tarteaucitron consents per service; a site category is granted when every service of that
 * type is (types analytic -> analytics, ads -> marketing; others keep their name, or use
 * data-map='{"social":"marketing"}'). */
(function () {
  'use strict';
  // --- shared by the three adapters: configuration, the record format, the transport ---
  var me = document.currentScript || document.querySelector('script[data-site-key]');
  var API = (me.getAttribute('data-api') || new URL(me.src).origin).replace(/\/+$/, '');
  var BASE = API + '/v1/sites/' + encodeURIComponent(me.getAttribute('data-site-key'));
  var MAP = JSON.parse(me.getAttribute('data-map') || '{}'); // library category -> site category
  var config = fetch(BASE + '/config', { mode: 'cors', credentials: 'omit' }).then(function (r) {
    if (!r.ok) throw new Error('config ' + r.status);
    return r.json();
  });
  var adapter = window.CookieAuditAdapter = { sent: Promise.resolve(null), record: record };

  function send(path, body) {
    var url = BASE + path;
    var init = { method: 'POST', mode: 'cors', credentials: 'omit', keepalive: true };
    if (body !== undefined) init.body = JSON.stringify(body); // text/plain: no preflight
    return fetch(url, init).then(function (r) {
      return r.status === 204 ? {} : r.json();
    }, function () {
      return navigator.sendBeacon && navigator.sendBeacon(url, init.body || '') ? {} : null;
    });
  }

  function impression() { send('/impressions').catch(function () {}); }

  // A consent id of our own (first-party cookie, 6 months) for libraries that have none.
  function ownId() {
    var m = document.cookie.match(/(?:^|;\s*)ca_consent_id=([0-9a-f-]{36})/);
    var id = m ? m[1] : crypto.randomUUID();
    document.cookie = 'ca_consent_id=' + id + '; path=/; max-age=' + 182 * 86400 +
      '; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
    return id;
  }

  // granted: library category -> bool. A site category is granted only if every library
  // category mapped to it is, so a record never claims more than the visitor gave.
  function record(consentId, granted, action) {
    adapter.sent = config.then(function (c) {
      var mapped = {};
      Object.keys(granted).forEach(function (k) {
        var id = MAP[k] || k;
        mapped[id] = (id in mapped ? mapped[id] : true) && granted[k] === true;
      });
      var choices = {};
      // the API refuses choices that contradict the action
      c.categories.forEach(function (cat) {
        choices[cat.id] = cat.required || action === 'accept_all' ||
          (action === 'custom' && !!mapped[cat.id]);
      });
      return send('/consents', {
        consent_id: consentId, choices: choices, action: action,
        policy_version: c.policy_version, banner_revision: c.banner_revision,
        language: (document.documentElement.lang || navigator.language || 'en').slice(0, 35),
        page_url: location.origin + location.pathname, client_ts: Date.now()
      });
    }).catch(function (e) {
      if (window.console) console.warn('cookie-audit adapter:', e);
      return null;
    });
    return adapter.sent;
  }
  // --- end of the shared part ---

  var TYPES = { analytic: 'analytics', ads: 'marketing' };
  var pending = null;
  var shown = false;
  // respondAll() writes one cookie per service (one event each): record once, after the loop.
  // adapter.sent is replaced at once, so a caller awaiting it gets this choice's receipt.
  document.addEventListener('tac.consent_updated', function () {
    if (pending) return;
    var last = adapter.sent;
    pending = adapter.sent = new Promise(function (done) {
      setTimeout(function () {
        pending = null;
        done(flush() || last);
      }, 0);
    });
  });
  // openAlert() runs once per undecided service: count one impression per page.
  window.addEventListener('tac.open_alert', function () {
    if (!shown) impression();
    shown = true;
  });
  function flush() {
    var tac = window.tarteaucitron;
    if (!tac || !tac.job) return;
    var granted = {};
    var all = true;
    var none = true;
    // Undecided services are written as "wait" at start-up: not a choice, nothing to record.
    var decided = tac.job.every(function (key) { return typeof tac.state[key] === 'boolean'; });
    if (!decided) return;
    tac.job.forEach(function (key) {
      var service = tac.services[key];
      if (!service) return;
      var on = tac.state[key] === true;
      var type = MAP[service.type] ? service.type : TYPES[service.type] || service.type;
      granted[type] = (type in granted ? granted[type] : true) && on;
      all = all && on;
      none = none && !on;
    });
    return record(ownId(), granted, all ? 'accept_all' : none ? 'reject_all' : 'custom');
  }
})();
