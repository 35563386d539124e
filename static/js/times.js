/* Relative times ("3 hours ago", "hace 3 horas", "пре 3 сата") in the same words as
   articles/times.py, in the page's language (<html lang>), refreshed every minute: a page
   served from a cache must not keep saying "just now". Every
   <time data-relative datetime="..."> on the page is kept up to date. The words come from
   Intl.RelativeTimeFormat (the server's catalogues follow them); "just now" from the
   page's catalogue (/jsi18n/). */
(function () {
  "use strict";
  var language = document.documentElement.lang || "en";

  // The page's strings for every script here: Django's JavaScriptCatalog (/jsi18n/,
  // loaded before this file) when it came, else the English source. Read at each call.
  window.newsiteI18n = {
    language: language,
    gettext: function (text) {
      return window.gettext ? window.gettext(text) : text;
    },
    pgettext: function (context, text) {
      return window.pgettext ? window.pgettext(context, text) : text;
    },
    ngettext: function (one, many, n) {
      return window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many;
    },
    interpolate: function (text, values, named) {
      if (window.interpolate) return window.interpolate(text, values, named);
      return text.replace(/%\((\w+)\)s/g, function (_, key) {
        return String(values[key]);
      });
    },
    // A number as the page's language writes it ("4,2"); ``fixed``: always ``digits``.
    formatNumber: function (value, digits, fixed) {
      try {
        return new Intl.NumberFormat(language, {
          minimumFractionDigits: fixed ? digits || 0 : 0,
          maximumFractionDigits: digits || 0,
        }).format(value);
      } catch (e) {
        return fixed && digits ? Number(value).toFixed(digits) : String(value);
      }
    },
  };
  // English dates as the site writes them: "12 November 2026".
  var dateLocale = language === "en" ? "en-GB" : language;
  var relative = null;
  var dates = null;
  try {
    relative = new Intl.RelativeTimeFormat(language, { numeric: "always" });
    dates = new Intl.DateTimeFormat(dateLocale, {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
  } catch (e) {
    relative = null;
  }

  function justNow() {
    return window.newsiteI18n.gettext("just now");
  }

  function yesterday() {
    try {
      return new Intl.RelativeTimeFormat(language, { numeric: "auto" }).format(-1, "day");
    } catch (e) {
      return "yesterday";
    }
  }

  function ago(value, now) {
    var then = new Date(value);
    if (isNaN(then.getTime()) || !relative) return null;
    var seconds = Math.floor(((now || new Date()) - then) / 1000);
    var minutes = Math.floor(seconds / 60);
    var hours = Math.floor(seconds / 3600);
    var days = Math.floor(seconds / 86400);
    if (minutes < 1) return justNow();
    if (hours < 1) return relative.format(-minutes, "minute");
    if (days < 1) return relative.format(-hours, "hour");
    if (days < 2) return yesterday();
    if (days < 7) return relative.format(-days, "day");
    return siteDate(value);
  }

  // The date on the calendar of the offset the server wrote (the site's time zone), not
  // the reader's, so both sides give the same date.
  function siteDate(value) {
    var match = /([+-])(\d\d):?(\d\d)$/.exec(value);
    var offset = match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
    return dates.format(new Date(new Date(value).getTime() + offset * 60000));
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
