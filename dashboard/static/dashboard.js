(function () {
  "use strict";
  // Progressive enhancement only: every page works without this file. It never builds HTML
  // from data (textContent and attributes only).

  // Forms that remove or stop something ask first (data-confirm holds the question).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
