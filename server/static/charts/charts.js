/* The data-design views: each [data-chart] element is drawn from the JSON address it names.
 * Bar and line charts with the vendored Chart.js; regions and départements as proportional
 * circles on a Leaflet map (tiles from MAP_TILE_URL; the circles show without them).  The
 * page also gives every chart's values as a table. */
(function () {
  "use strict";
  var script = document.currentScript;
  var vendor = script.dataset.vendor;
  var lang = document.documentElement.lang === "en" ? "en" : "fr";
  var numbers = new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB");
  var ACCENT = "#0b5394";
  var WORDS = { fr: { added: "Fiches ajoutées", total: "Total" }, en: { added: "Records added", total: "Total" } };

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
      node.onload = resolve;
      node.onerror = reject;
      document.head.appendChild(node);
    });
  }

  function rows(element) {
    return fetch(element.dataset.chart, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) { return answer.rows; });
  }

  function drawn(element, count) {
    element.dataset.state = "drawn";
    element.dataset.count = String(count);
  }

  function bars(canvas, data) {
    var shown = data.slice(0, 20);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: shown.map(function (row) { return row.label; }),
        datasets: [{ data: shown.map(function (row) { return row.count; }), backgroundColor: ACCENT }],
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false, locale: lang === "fr" ? "fr-FR" : "en-GB",
        plugins: { legend: { display: false } },
      },
    });
    drawn(canvas, shown.length);
  }

  function line(canvas, data) {
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.map(function (row) { return row.label; }),
        datasets: [
          { type: "bar", label: WORDS[lang].added, data: data.map(function (row) { return row.added; }), backgroundColor: "#8fb3d9" },
          { type: "line", label: WORDS[lang].total, data: data.map(function (row) { return row.total; }), borderColor: ACCENT },
        ],
      },
      options: { maintainAspectRatio: false, animation: false, locale: lang === "fr" ? "fr-FR" : "en-GB" },
    });
    drawn(canvas, data.length);
  }

  function circles(element, data) {
    var map = L.map(element, { center: [46.6, 2.4], zoom: 5 });
    map.attributionControl.setPrefix(document.documentElement.lang === "en" ? "Data: Carrefour des innovations sociales" : "Données : Carrefour des innovations sociales");
    if (script.dataset.tiles) {
      L.tileLayer(script.dataset.tiles, { attribution: script.dataset.attribution || "", maxZoom: 12 }).addTo(map);
    }
    var largest = Math.max.apply(null, data.map(function (row) { return row.count; }).concat([1]));
    var placed = data.filter(function (row) { return row.latitude !== undefined; });
    placed.forEach(function (row) {
      var circle = L.circleMarker([row.latitude, row.longitude], {
        radius: 4 + 30 * Math.sqrt(row.count / largest), className: "chart-circle",
      }).addTo(map);
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = row.iri;
      link.textContent = row.label;
      box.appendChild(link);
      box.appendChild(document.createTextNode(" : " + numbers.format(row.count)));
      circle.bindPopup(box);
      circle.bindTooltip(row.label + " : " + numbers.format(row.count));
    });
    map.fitBounds([[41.3, -5.2], [51.1, 9.6]]);
    drawn(element, placed.length);
  }

  var SHADES = ["#f2f2f2", "#c6dbef", "#9ecae1", "#4292c6", "#2171b5", "#08306b"];

  /* A choropleth of the metropolitan départements: the vendored outlines, each shaded by its count. */
  function choropleth(figure, data) {
    return fetch(figure.dataset.svg).then(function (response) { return response.text(); }).then(function (text) {
      var svg = document.importNode(new DOMParser().parseFromString(text, "image/svg+xml").documentElement, true);
      svg.removeAttribute("aria-label");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-labelledby", "choropleth-caption");
      var counts = {};
      data.forEach(function (row) { counts[row.key] = row; });
      var values = data.map(function (row) { return row.count; }).sort(function (a, b) { return a - b; });
      var limits = [0.2, 0.4, 0.6, 0.8].map(function (q) { return values[Math.floor(q * (values.length - 1))] || 0; });
      var shaded = 0;
      Array.prototype.forEach.call(svg.querySelectorAll("path"), function (path) {
        var row = counts[path.id], count = row ? row.count : 0;
        var shade = count ? 1 + limits.filter(function (limit) { return count > limit; }).length : 0;
        var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
        title.textContent = (row ? row.label : path.getAttribute("aria-label")) + " : " + numbers.format(count);
        path.removeAttribute("aria-label");
        path.setAttribute("fill", SHADES[shade]);
        path.appendChild(title);
        if (count) shaded += 1;
      });
      figure.insertBefore(svg, figure.firstChild);
      var legend = document.createElement("ul");
      legend.className = "chart-legend";
      var bounds = [0].concat(limits);
      SHADES.slice(1).forEach(function (colour, i) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.style.background = colour;
        item.appendChild(swatch);
        var high = i < limits.length ? limits[i] : values[values.length - 1] || 0;
        item.appendChild(document.createTextNode(numbers.format(bounds[i] + 1) + " – " + numbers.format(high)));
        legend.appendChild(item);
      });
      figure.appendChild(legend);
      drawn(figure, shaded);
    });
  }

  function start() {
    var elements = document.querySelectorAll("[data-chart]");
    Promise.all([
      load("script", { src: vendor + "chartjs/chart.umd.min.js" }),
      load("script", { src: vendor + "leaflet/leaflet.js" }),
      load("link", { rel: "stylesheet", href: vendor + "leaflet/leaflet.css" }),
    ]).then(function () {
      Array.prototype.forEach.call(elements, function (element) {
        rows(element).then(function (data) {
          if (element.classList.contains("chart-choropleth")) choropleth(element, data);
          else if (element.classList.contains("chart-map")) circles(element, data);
          else if (element.dataset.kind === "line") line(element, data);
          else bars(element, data);
        });
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
