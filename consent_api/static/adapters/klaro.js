/* cookie-audit adapter for Klaro: posts each choice saved in its notice or modal to the consent
 * API. Load it after klaro.js (both deferred, in this order, or both plain):
 * <script src="https://API/adapters/klaro.js" data-site-key="KEY" defer></script>
 * Klaro consents per service; a site category is granted when every service with that purpose
 * is. Optional data-map='{"purpose":"category"}'. */
(function () {
  'use strict';
  /* @shared: _shared.js (configuration, the record format, the transport), inserted here when served */

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
