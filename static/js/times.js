/* Relative times ("3 hours ago") in the same wording as articles/times.py, refreshed
   every minute: a page served from a cache must not keep saying "just now". Every
   <time data-relative datetime="..."> on the page is kept up to date. */
(function () {
  "use strict";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"];

  function plural(n, unit) {
    return n + " " + unit + (n === 1 ? "" : "s") + " ago";
  }

  function ago(value, now) {
    var then = new Date(value);
    if (isNaN(then.getTime())) return null;
    var seconds = Math.floor(((now || new Date()) - then) / 1000);
    var minutes = Math.floor(seconds / 60);
    var hours = Math.floor(seconds / 3600);
    var days = Math.floor(seconds / 86400);
    if (minutes < 1) return "just now";
    if (hours < 1) return plural(minutes, "minute");
    if (days < 1) return plural(hours, "hour");
    if (days < 2) return "yesterday";
    if (days < 7) return plural(days, "day");
    return siteDate(value);
  }

  // "12 November 2026" on the calendar of the offset the server wrote (the site's time
  // zone), not the reader's, so both sides give the same date.
  function siteDate(value) {
    var match = /([+-])(\d\d):?(\d\d)$/.exec(value);
    var offset = match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
    var local = new Date(new Date(value).getTime() + offset * 60000);
    return local.getUTCDate() + " " + MONTHS[local.getUTCMonth()] + " " + local.getUTCFullYear();
  }

  function refresh() {
    var now = new Date();
    document.querySelectorAll("time[data-relative][datetime]").forEach(function (el) {
      var text = ago(el.getAttribute("datetime"), now);
      if (text !== null && el.textContent !== text) el.textContent = text;
    });
  }

  window.newsiteTimes = { ago: ago, refresh: refresh };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
  window.setInterval(refresh, 60000);
})();
