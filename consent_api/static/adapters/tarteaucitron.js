/* cookie-audit adapter for tarteaucitron.js: posts each choice to the consent API. Load it before
 * tarteaucitron.init(): <script src="https://API/adapters/tarteaucitron.js" data-site-key="KEY">
 * tarteaucitron consents per service; a site category is granted when every service of that
 * type is (types analytic -> analytics, ads -> marketing; others keep their name, or use
 * data-map='{"social":"marketing"}'). */
(function () {
  'use strict';
  /* @shared: _shared.js (configuration, the record format, the transport), inserted here when served */

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
