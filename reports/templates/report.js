(function () {
  "use strict";
  // Sort and filter the cookie table. Reads the DOM only; never builds HTML from data.
  var table = document.getElementById("cookie-table");
  var form = document.getElementById("cookie-controls");
  if (!table || !form) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var text = document.getElementById("cookie-filter");
  var category = document.getElementById("category-filter");
  var count = document.getElementById("cookie-count");
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  function applyFilter() {
    var q = text.value.trim().toLowerCase();
    var cat = category.value;
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!cat || row.getAttribute("data-category") === cat) &&
        (!q || (row.getAttribute("data-search") || "").indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = count.getAttribute("data-template")
      .replace("{shown}", String(shown)).replace("{total}", String(rows.length));
  }
  text.addEventListener("input", applyFilter);
  category.addEventListener("change", applyFilter);

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.getAttribute("data-type") === "number";
      var keyed = rows.map(function (row, i) {
        var v = row.cells[index].getAttribute("data-sort") || "";
        return { row: row, i: i, v: numeric ? parseFloat(v) || 0 : v };
      });
      keyed.sort(function (a, b) {
        var c = numeric ? a.v - b.v : String(a.v).localeCompare(String(b.v));
        if (c === 0) { return a.i - b.i; }
        return ascending ? c : -c;
      });
      keyed.forEach(function (k) { tbody.appendChild(k.row); });
    });
  });
  applyFilter();
})();
