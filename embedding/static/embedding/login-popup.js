/* The "Log in with newsite" popup's last page (embedding/views.py): hands the session
 * token to the widget that opened it, addressed to the embed site's origin only (the
 * server checked it; the browser delivers nothing to any other), then closes. */
(function () {
  "use strict";
  var data = document.getElementById("newsite-login");
  if (!data || !window.opener) return;
  window.opener.postMessage({
    type: "newsite:login",
    token: data.getAttribute("data-token"),
    name: data.getAttribute("data-name"),
    expires_in: Number(data.getAttribute("data-expires-in")),
  }, data.getAttribute("data-origin"));
  window.close();
})();
