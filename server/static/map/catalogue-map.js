/* Carrefour des innovations sociales: every element with a data-geojson attribute becomes a map.
 *
 * The attribute names a GeoJSON FeatureCollection (Features: Point [lon, lat]; properties name,
 * kind, commune, url, approximate; a top-level "unplaced" count): the hub's /map/data.geojson,
 * or the search page's ?format=geojson.  Markers are clustered (Supercluster) and drawn by
 * Leaflet, both served by the hub; tiles come from the server named by data-tiles on this
 * script (MAP_TILE_URL), and the markers show whether tiles load or not.  Each map has a list
 * equivalent (the places in view, as links), "près de moi" (the browser's geolocation) and
 * "autour de" a commune or postal code with a radius.  Partner text is only ever set as text.
 *
 * Options on the element: data-tools="none" (no near-me/around form), data-list="none" (the
 * page says where, in words), data-zoom="N" (the largest zoom when fitting the points).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var settings = {
    tiles: script.dataset.tiles,
    attribution: script.dataset.attribution || "",
    vendor: script.dataset.vendor,
    communes: script.dataset.communes,
  };
  var LIST_ITEMS = 50;
  var FRANCE = [46.6, 2.4];
  var WORDS = {
    fr: {
      map: "Carte des lieux",
      list: "Les lieux de la carte",
      nearMe: "Près de moi",
      around: "Autour de (commune ou code postal)",
      radius: "Rayon",
      show: "Afficher",
      all: "Toute la carte",
      initiative: "Initiative",
      programme: "Programme d’accompagnement",
      actor: "Acteur",
      approximate: "Position approximative : centre de la commune",
      inView: "{n} lieu(x) sur la carte",
      approximateCount: "dont {n} au centre de leur commune",
      unplaced: "{n} fiche(s) sans lieu connu",
      more: "… et {n} autre(s) : zoomez sur la carte ou précisez votre recherche.",
      none: "Aucun lieu à montrer ici.",
      cluster: "{n} lieux : zoomer",
      loading: "Chargement de la carte…",
      failed: "La carte n’a pas pu être chargée.",
      noGeolocation: "Votre navigateur ne donne pas votre position.",
      notFound: "Aucune commune ne porte ce nom ou ce code postal.",
      within: "{n} lieu(x) à moins de {r} km de {place}",
      yourPosition: "votre position",
      km: "{d} km",
      hub: "Données : Carrefour des innovations sociales et ses partenaires",
    },
    en: {
      map: "Map of places",
      list: "The places on the map",
      nearMe: "Near me",
      around: "Around (commune or postal code)",
      radius: "Radius",
      show: "Show",
      all: "Whole map",
      initiative: "Initiative",
      programme: "Support programme",
      actor: "Actor",
      approximate: "Approximate position: centre of the commune",
      inView: "{n} place(s) on the map",
      approximateCount: "{n} of them at the centre of their commune",
      unplaced: "{n} record(s) with no known place",
      more: "… and {n} more: zoom in on the map or narrow your search.",
      none: "No place to show here.",
      cluster: "{n} places: zoom in",
      loading: "Loading the map…",
      failed: "The map could not be loaded.",
      noGeolocation: "Your browser does not give your position.",
      notFound: "No commune has this name or postal code.",
      within: "{n} place(s) within {r} km of {place}",
      yourPosition: "your position",
      km: "{d} km",
      hub: "Data: Carrefour des innovations sociales and its partners",
    },
  };
  var lang = document.documentElement.lang === "en" ? "en" : "fr";
  var numbers = new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 1 });
  var collator = new Intl.Collator(lang, { sensitivity: "base" });
  var counter = 0;

  function say(key, values) {
    return WORDS[lang][key].replace(/\{(\w+)\}/g, function (_, name) {
      var value = values[name];
      return typeof value === "number" ? numbers.format(value) : value;
    });
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var node = element(tag, attributes);
      node.onload = resolve;
      node.onerror = reject;
      document.head.appendChild(node);
    });
  }

  function libraries() {
    return Promise.all([
      load("link", { rel: "stylesheet", href: settings.vendor + "leaflet/leaflet.css" }),
      load("link", { rel: "stylesheet", href: script.src.replace(/\.js(\?.*)?$/, ".css") }),
      load("script", { src: settings.vendor + "leaflet/leaflet.js" }),
      load("script", { src: settings.vendor + "supercluster/supercluster.min.js" }),
    ]);
  }

  function distanceKm(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function popup(properties) {
    var box = element("div", { class: "map-popup" });
    var title = element("p", { class: "map-popup-name" });
    var link = element("a", { href: properties.url }, properties.name || properties.url);
    title.appendChild(link);
    box.appendChild(title);
    var kind = WORDS[lang][properties.kind] || properties.kind;
    box.appendChild(element("p", {}, properties.commune ? kind + " — " + properties.commune : kind));
    if (properties.approximate) box.appendChild(element("p", { class: "map-approximate" }, say("approximate", {})));
    return box;
  }

  function pointIcon(properties) {
    var classes = "map-point map-kind-" + properties.kind + (properties.approximate ? " map-point-approximate" : "");
    return L.divIcon({ className: classes, iconSize: [16, 16], html: "" });
  }

  function clusterIcon(count) {
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
    return L.divIcon({
      className: "map-cluster",
      iconSize: [size, size],
      html: '<span aria-hidden="true">' + numbers.format(count) + "</span>",
    });
  }

  function CatalogueMap(container) {
    this.container = container;
    this.id = "catalogue-map-" + ++counter;
    this.options = container.dataset;
    this.features = [];
    this.shown = [];
    this.centre = null;
    this.build();
  }

  CatalogueMap.prototype.build = function () {
    var container = this.container;
    container.classList.add("catalogue-map");
    if (this.options.tools !== "none") container.appendChild(this.tools());
    this.canvas = element("div", { class: "map-canvas", role: "region", "aria-label": say("map", {}) });
    container.appendChild(this.canvas);
    this.status = element("p", { class: "map-status", "aria-live": "polite" }, say("loading", {}));
    container.appendChild(this.status);
    if (this.options.list !== "none") {
      var section = element("section", { class: "map-list", "aria-labelledby": this.id + "-list" });
      section.appendChild(element("h2", { id: this.id + "-list" }, say("list", {})));
      this.list = element("ol", {});
      this.more = element("p", { class: "map-more" });
      section.appendChild(this.list);
      section.appendChild(this.more);
      container.appendChild(section);
    }
  };

  CatalogueMap.prototype.tools = function () {
    var self = this;
    var form = element("form", { class: "map-tools" });
    var near = element("button", { type: "button", class: "map-near-me" }, say("nearMe", {}));
    var input = element("input", { id: this.id + "-around", type: "search", name: "around", autocomplete: "off" });
    var radius = element("select", { id: this.id + "-radius", name: "radius" });
    [5, 10, 20, 50, 100].forEach(function (km) {
      var option = element("option", { value: String(km) }, say("km", { d: km }));
      if (km === 10) option.selected = true;
      radius.appendChild(option);
    });
    var reset = element("button", { type: "button", class: "map-reset" }, say("all", {}));
    form.appendChild(near);
    var around = element("span", { class: "map-field" });
    around.appendChild(element("label", { for: input.id }, say("around", {})));
    around.appendChild(input);
    form.appendChild(around);
    var field = element("span", { class: "map-field" });
    field.appendChild(element("label", { for: radius.id }, say("radius", {})));
    field.appendChild(radius);
    form.appendChild(field);
    form.appendChild(element("button", { type: "submit" }, say("show", {})));
    form.appendChild(reset);
    near.addEventListener("click", function () {
      if (!navigator.geolocation) return self.tell(say("noGeolocation", {}));
      navigator.geolocation.getCurrentPosition(
        function (position) {
          self.around([position.coords.latitude, position.coords.longitude], Number(radius.value), say("yourPosition", {}));
        },
        function () { self.tell(say("noGeolocation", {})); }
      );
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      fetch(settings.communes + "?q=" + encodeURIComponent(text))
        .then(function (response) { return response.json(); })
        .then(function (found) {
          if (!found.length) return self.tell(say("notFound", {}));
          self.around([found[0].latitude, found[0].longitude], Number(radius.value), found[0].name);
        });
    });
    reset.addEventListener("click", function () { self.around(null); });
    return form;
  };

  CatalogueMap.prototype.tell = function (text) {
    this.status.textContent = text;
  };

  CatalogueMap.prototype.start = function () {
    var self = this;
    var started = performance.now();
    this.map = L.map(this.canvas, { center: FRANCE, zoom: 5, zoomControl: true });
    this.map.attributionControl.setPrefix(say("hub", {}));
    if (settings.tiles) L.tileLayer(settings.tiles, { attribution: settings.attribution, maxZoom: 19 }).addTo(this.map);
    this.layer = L.layerGroup().addTo(this.map);
    this.map.on("moveend", function () { self.draw(); });
    return fetch(this.options.geojson, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        self.unplaced = collection.unplaced || 0;
        self.features = (collection.features || []).filter(function (f) {
          return f.geometry && f.geometry.type === "Point";
        });
        self.features.sort(function (a, b) { return collator.compare(a.properties.name || "", b.properties.name || ""); });
        self.around(null);
        self.container.dataset.state = "ready";
        self.container.dataset.readyMs = String(Math.round(performance.now() - started));
        self.container.dataset.readyAt = String(Math.round(performance.now()));  // since the page was asked for
        self.container.dispatchEvent(new CustomEvent("catalogue-map:ready", { detail: { features: self.features.length } }));
      })
      .catch(function () {
        self.tell(say("failed", {}));
        self.container.dataset.state = "failed";
      });
  };

  /* Show every feature (centre null), or those within radiusKm of centre, and fit the map to them. */
  CatalogueMap.prototype.around = function (centre, radiusKm, place) {
    var features = this.features;
    if (this.circle) this.map.removeLayer(this.circle);
    this.circle = null;
    this.centre = centre;
    this.place = place;
    this.radiusKm = radiusKm;
    if (centre) {
      features = features.filter(function (f) {
        f.distance = distanceKm(centre, [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
        return f.distance <= radiusKm;
      });
      features.sort(function (a, b) { return a.distance - b.distance; });
      this.circle = L.circle(centre, { radius: radiusKm * 1000, interactive: false, className: "map-radius" }).addTo(this.map);
    }
    this.shown = features;
    this.index = new Supercluster({ radius: 60, maxZoom: 16 }).load(features);
    this.fit();
  };

  CatalogueMap.prototype.fit = function () {
    var maxZoom = Number(this.options.zoom || 13);
    if (this.circle) {
      this.map.fitBounds(this.circle.getBounds(), { maxZoom: maxZoom });
    } else if (this.shown.length) {
      var bounds = L.latLngBounds(this.shown.map(function (f) {
        return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      }));
      this.map.fitBounds(bounds.pad(0.05), { maxZoom: maxZoom });
    }
    this.draw();
  };

  CatalogueMap.prototype.draw = function () {
    var self = this;
    var bounds = this.map.getBounds();
    var box = [bounds.getWest(), Math.max(-85, bounds.getSouth()), bounds.getEast(), Math.min(85, bounds.getNorth())];
    var zoom = Math.round(this.map.getZoom());
    this.layer.clearLayers();
    this.index.getClusters(box, zoom).forEach(function (item) {
      var latLng = [item.geometry.coordinates[1], item.geometry.coordinates[0]];
      var properties = item.properties;
      if (properties.cluster) {
        var count = properties.point_count;
        var cluster = L.marker(latLng, { icon: clusterIcon(count), title: say("cluster", { n: count }), keyboard: true });
        cluster.on("click", function () {
          var target = Math.min(self.index.getClusterExpansionZoom(properties.cluster_id), 18);
          self.map.setView(latLng, target);
        });
        cluster.addTo(self.layer);
      } else {
        var marker = L.marker(latLng, { icon: pointIcon(properties), title: properties.name || "", keyboard: true });
        marker.bindPopup(popup(properties));
        marker.addTo(self.layer);
      }
    });
    this.describe(bounds);
  };

  /* The list equivalent and the status line: what is in view, in words. */
  CatalogueMap.prototype.describe = function (bounds) {
    var visible = this.shown.filter(function (f) {
      return bounds.contains([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
    });
    var approximate = visible.filter(function (f) { return f.properties.approximate; }).length;
    var parts = [
      this.centre
        ? say("within", { n: this.shown.length, r: this.radiusKm, place: this.place })
        : say("inView", { n: visible.length }),
    ];
    if (approximate) parts.push(say("approximateCount", { n: approximate }));
    if (this.unplaced && !this.centre) parts.push(say("unplaced", { n: this.unplaced }));
    this.tell(visible.length || this.centre ? parts.join(" · ") : say("none", {}));
    this.container.dataset.visible = String(visible.length);
    if (!this.list) return;
    var list = this.list, centre = this.centre;
    list.textContent = "";
    visible.slice(0, LIST_ITEMS).forEach(function (f) {
      var item = element("li", {});
      item.appendChild(element("a", { href: f.properties.url }, f.properties.name || f.properties.url));
      var details = [WORDS[lang][f.properties.kind] || f.properties.kind];
      if (f.properties.commune) details.push(f.properties.commune);
      if (centre) details.push(say("km", { d: f.distance }));
      item.appendChild(document.createTextNode(" — " + details.join(", ")));
      if (f.properties.approximate) {
        item.appendChild(element("span", { class: "map-approximate" }, " (" + say("approximate", {}) + ")"));
      }
      list.appendChild(item);
    });
    this.more.textContent = visible.length > LIST_ITEMS ? say("more", { n: visible.length - LIST_ITEMS }) : "";
  };

  function start() {
    var containers = document.querySelectorAll("[data-geojson]");
    if (!containers.length) return;
    var maps = Array.prototype.map.call(containers, function (container) { return new CatalogueMap(container); });
    libraries().then(function () {
      maps.forEach(function (map) { map.start(); });
    }, function () {
      maps.forEach(function (map) { map.tell(say("failed", {})); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
