/* newsite comment counts for a host's listing pages: fills every element with
 * data-newsite-count="<page url>" (or data-newsite-count-slug="<slug>") with
 * "N comments", asking /api/v1/counts/ once per 50 elements.
 * <span data-newsite-count="https://host.example/story/1"></span>
 * <script src="https://newsite.example/count.js" async></script>
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var API = new URL(me ? me.src : "/", location.href).origin + "/api/v1/counts/";
  function words(n) {
    var text = window.ngettext ? window.ngettext("%(n)s comment", "%(n)s comments", n)
      : n === 1 ? "%(n)s comment" : "%(n)s comments";
    return text.replace("%(n)s", n);
  }
  function fill() {
    // The answer lists the url= pages, then the slug= ones, each in the order asked.
    var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-newsite-count]"))
      .concat(Array.prototype.slice.call(document.querySelectorAll("[data-newsite-count-slug]")));
    for (var i = 0; i < nodes.length; i += 50) ask(nodes.slice(i, i + 50));
  }
  function ask(nodes) {
    var query = nodes.map(function (node) {
      var slug = node.getAttribute("data-newsite-count-slug");
      return slug ? "slug=" + encodeURIComponent(slug)
        : "url=" + encodeURIComponent(node.getAttribute("data-newsite-count"));
    }).join("&");
    fetch(API + "?" + query, { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        (data.results || []).forEach(function (item, index) {
          if (nodes[index]) {
            nodes[index].textContent = words(item.comment_count);
            nodes[index].setAttribute("data-newsite-comments", item.comment_count);
          }
        });
      }, function () { /* counts are an extra: leave the host's text */ });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fill);
  else fill();
})();
