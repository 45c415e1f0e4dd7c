/* The part every cookie-audit adapter shares: configuration, the record format, the transport.
 * Not served alone: consent_api/scripts.py puts it into each adapter, inside the adapter's
 * function, where the adapter's `@shared` line stands. It defines MAP, adapter (window.
 * CookieAuditAdapter, whose `sent` is the promise of the last receipt), send, impression, ownId
 * and record for the adapter's own code. */
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
