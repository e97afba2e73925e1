// The query editor of /sparql: YASGUI on this hub's endpoint, with the example queries,
// and a note when an answer was cut at the endpoint's result cap.
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  var examples = JSON.parse(document.getElementById("sparql-examples").textContent);
  var note = document.getElementById("capped-note");
  var endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  // The vocabulary's persistent IRIs (concepts, terms) are shown by this hub: links to them stay here.
  var vocabulary = root.dataset.vocabulary;
  var base = new URL(".", endpoint).href;
  new MutationObserver(function () {
    root.querySelectorAll('a[href^="' + vocabulary + '"]').forEach(function (link) {
      link.href = base + link.getAttribute("href").slice(vocabulary.length);
    });
  }).observe(root, { childList: true, subtree: true });

  // The class and property completers ask an outside service (LOV): the page only talks to the hub.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: examples.length ? examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" },
    persistenceId: "carrefour-sparql"
  });
  window.carrefourYasgui = yasgui;

  function showCapped(response) {
    var headers = response && response.headers;
    if (!headers || typeof headers.get !== "function") return;
    if (headers.get("X-SPARQL-Result-Capped") === "true") {
      var cap = headers.get("X-SPARQL-Result-Cap");
      note.textContent = note.dataset.text.replace("{cap}", cap);  // in the page's language
      note.hidden = false;
    }
  }

  var watched = new WeakSet();
  yasgui.on("query", function (_instance, tab) {
    note.hidden = true;
    var yasqe = tab.getYasqe();
    if (yasqe && !watched.has(yasqe)) {
      watched.add(yasqe);
      yasqe.on("queryResponse", function (_yasqe, response) { showCapped(response); });
    }
  });

  document.querySelectorAll("[data-example]").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = examples[Number(button.dataset.example)];
      var tab = yasgui.addTab(true, { name: example.label, yasqe: { value: example.query } });
      tab.query();
    });
  });
})();
