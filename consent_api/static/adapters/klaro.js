/* cookie-audit adapter for Klaro: posts each choice saved in its notice or modal to the consent
 * API. Load it after klaro.js (both deferred, in this order, or both plain):
 * <script src="https://API/adapters/klaro.js" data-site-key="KEY" defer></script>
 * Klaro consents per service; a site category is granted when every service with that purpose
 * is. Optional data-map='{"purpose":"category"}'. */
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

  var watched = [];
  function hook() {
    if (!window.klaro || hook.done) return;
    hook.done = true;
    window.klaro.addEventListener('render', function (conf, opts) {
      var manager = window.klaro.getManager(conf);
      if (!manager.confirmed || (opts && opts.show)) impression();
      if (watched.indexOf(manager) >= 0) return;
      watched.push(manager);
      manager.watch({ update: function (m, name, data) {
        if (name !== 'saveConsents') return;
        var granted = {};
        m.config.services.forEach(function (s) {
          (s.purposes || []).forEach(function (p) {
            granted[p] = (p in granted ? granted[p] : true) && !!data.consents[s.name];
          });
        });
        var type = data.type;
        var action = type === 'accept' ? 'accept_all' : type === 'decline' ? 'reject_all' : 'custom';
        record(ownId(), granted, action);
      } });
    });
  }
  hook();
  document.addEventListener('DOMContentLoaded', hook);
  window.addEventListener('load', hook);
})();
