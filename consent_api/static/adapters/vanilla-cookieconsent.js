/* cookie-audit adapter for vanilla-cookieconsent v3: posts each choice made in its banner to
 * the consent API. Load it before CookieConsent.run():
 * <script src="https://API/adapters/vanilla-cookieconsent.js" data-site-key="KEY"></script>
 * Optional data-map='{"stats":"analytics"}' when the library's category ids differ from the
 * site's. The record's consent_id is the library's own consentId (a UUID v4). */
(function () {
  'use strict';
  /* @shared: _shared.js (configuration, the record format, the transport), inserted here when served */

  function onChoice(e) {
    var cookie = e.detail && e.detail.cookie;
    if (!cookie || !window.CookieConsent) return;
    var prefs = window.CookieConsent.getUserPreferences();
    var type = prefs.acceptType;
    var granted = {};
    prefs.acceptedCategories.forEach(function (k) { granted[k] = true; });
    prefs.rejectedCategories.forEach(function (k) { granted[k] = false; });
    var action = type === 'all' ? 'accept_all' : type === 'necessary' ? 'reject_all' : 'custom';
    record(cookie.consentId, granted, action);
  }
  window.addEventListener('cc:onFirstConsent', onChoice);
  window.addEventListener('cc:onChange', onChoice);
  window.addEventListener('cc:onModalShow', function (e) {
    if (e.detail && e.detail.modalName === 'consentModal') impression();
  });
})();
