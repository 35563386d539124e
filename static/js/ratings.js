// Star rating: updates in place through the API when JavaScript is on; the plain
// form POST keeps working without it.
(function () {
  "use strict";

  function csrfToken(control) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var form = control.closest("form") || control;
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The page's language (static/js/times.js: Django's JavaScriptCatalog, else English).
  var i18n = window.newsiteI18n;
  var gettext = i18n.gettext;
  var ngettext = i18n.ngettext;
  var interpolate = i18n.interpolate;
  var formatNumber = i18n.formatNumber;

  // 4.0 → "4", 4.25 → "4.3" ("4,3" in Serbian and Spanish), as the server writes it.
  function formatAverage(value) {
    return formatNumber(Math.round(Number(value) * 10) / 10, 1);
  }

  function step(percent) {
    return Math.min(100, Math.max(0, 5 * Math.round(percent / 5)));
  }

  // The reader's own vote is shown by the star control: the widget's form, or the
  // comment form's "Rate this post" when the page has one (one control per page).
  function render(root, control, data) {
    // The whole sentence from the catalogue (its plural depends on the count); the
    // markup in it is the catalogue's own, the numbers are formatted here.
    root.querySelector("[data-rating-text]").innerHTML = interpolate(
      ngettext(
        "Rated <strong data-rating-average>%(average)s</strong> out of 5 based on <strong data-rating-count>%(counter)s</strong> <span data-rating-voters>voter</span>",
        "Rated <strong data-rating-average>%(average)s</strong> out of 5 based on <strong data-rating-count>%(counter)s</strong> <span data-rating-voters>voters</span>",
        data.count
      ),
      { average: formatAverage(data.average), counter: formatNumber(data.count) },
      true
    );
    var stars = root.querySelector(".rating__stars");
    // Widths go in 5% steps through data-pct (site.css): no inline styles under our CSP.
    if (stars) stars.setAttribute("data-pct", String(step(data.average * 20)));
    var distribution = root.querySelector("[data-rating-distribution]");
    distribution.hidden = data.count === 0;
    Object.keys(data.distribution).forEach(function (key) {
      var n = data.distribution[key];
      root.querySelector('[data-rating-n="' + key + '"]').textContent = String(n);
      var percent = data.count ? Math.round((100 * n) / data.count) : 0;
      root.querySelector('[data-rating-fill="' + key + '"]').setAttribute("data-pct", String(step(percent)));
    });
    var mine = control.querySelector("[data-rating-mine]");
    mine.textContent = data.mine
      ? interpolate(gettext("Your rating: %(stars)s of 5."), { stars: formatNumber(data.mine) }, true)
      : "";
    control.querySelector("[data-rating-withdraw]").hidden = !data.mine;
    showMine(control, data.mine);
  }

  function showMine(control, stars) {
    control.querySelectorAll("input[data-rating-star]").forEach(function (input) {
      input.checked = Number(input.value) === stars;
    });
    // The comment form's "No rating": chosen when there is no vote.
    var none = control.querySelector("input[type=radio]:not([data-rating-star])");
    if (none && !stars) none.checked = true;
  }

  function send(root, control, method, body) {
    var mine = control.querySelector("[data-rating-mine]");
    return fetch(root.dataset.ratingApi, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(control),
      },
      body: body ? JSON.stringify(body) : undefined,
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          mine.textContent = result.data.detail || gettext("Your rating could not be saved.");
        }
        return result;
      })
      .catch(function () {
        mine.textContent = gettext("Your rating could not be saved. Please try again.");
        return { ok: false };
      });
  }

  document.querySelectorAll(".rating").forEach(function (root) {
    var form = root.querySelector("[data-rating-form]") || document.querySelector("[data-rating-control]");
    if (!form || !window.fetch) return;
    form.classList.add("is-enhanced");
    // What the server holds, so that a reset of the comment form after a post keeps
    // showing the vote.
    var shownMine = checkedStars();
    var owner = form.closest("form");
    if (owner && owner !== form) {
      owner.addEventListener("reset", function () {
        window.setTimeout(function () {
          showMine(form, shownMine);
        }, 0);
      });
    }

    // One request at a time, and only the reader's latest choice: arrowing across
    // the stars must not leave an older choice saved because its request won a race.
    var inflight = false;
    var queued = null;
    function request(method, body) {
      if (inflight) {
        queued = { method: method, body: body };
        return;
      }
      inflight = true;
      send(root, form, method, body).then(function (result) {
        inflight = false;
        // A newer choice is waiting: show the summary once that one is saved.
        if (result.ok && !queued) {
          render(root, form, result.data);
          shownMine = result.data.mine || null;
        }
        // What the server holds now (a failed choice may be sent again).
        if (!queued) saved = result.ok ? result.data.mine || null : undefined;
        if (queued) {
          var next = queued;
          queued = null;
          request(next.method, next.body);
        }
      });
    }

    // One vote per decision. Arrow keys move the choice across the stars (each step is
    // a "change"), so a keyboard choice is saved on Enter or Space, when the focus
    // leaves the stars, or after a pause; a click saves at once.
    var saved = checkedStars();
    var timer = null;
    var arrowing = false;

    function checkedStars() {
      var checked = form.querySelector("input[data-rating-star]:checked");
      return checked ? Number(checked.value) : null;
    }

    function pause() {
      var ms = Number(form.getAttribute("data-rating-pause") || root.getAttribute("data-rating-pause"));
      return ms >= 0 ? ms : 800;
    }

    function commit() {
      window.clearTimeout(timer);
      timer = null;
      var stars = checkedStars();
      if (stars === null || stars === saved) return;
      saved = stars;
      request("PUT", { stars: stars });
    }

    function isStar(element) {
      return Boolean(element && element.hasAttribute && element.hasAttribute("data-rating-star"));
    }

    form.addEventListener("keydown", function (event) {
      // Any radio of the control, "No rating" too: arrowing from it onto the first star
      // is a move like any other, not a choice to save at once.
      arrowing = /^(Arrow(Up|Down|Left|Right)|Home|End)$/.test(event.key);
      if (!isStar(event.target)) return;
      if (event.key === "Enter") {
        // Not the form's submit: that would send the same choice a second time.
        event.preventDefault();
        commit();
      } else if (event.key === " ") {
        // Space on the chosen star confirms it; on another one it chooses (a change).
        if (event.target.checked) commit();
      }
    });
    form.addEventListener("pointerdown", function () {
      arrowing = false;
    });
    form.addEventListener("change", function (event) {
      if (!isStar(event.target)) return;
      window.clearTimeout(timer);
      if (arrowing) timer = window.setTimeout(commit, pause());
      else commit();
      arrowing = false;
    });
    form.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (timer && !(isStar(next) && form.contains(next))) commit();
    });
    // "Rate" and "Remove my rating" go through the API; in the comment form they are
    // buttons of that form (formaction), so their clicks are taken here.
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-rating-submit], [data-rating-withdraw]");
      if (!button || !form.contains(button)) return;
      event.preventDefault();
      act(button);
    });
    if (form.tagName === "FORM") {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        act(event.submitter);
      });
    }

    function act(submitter) {
      if (submitter && submitter.hasAttribute("data-rating-withdraw")) {
        request("DELETE");
        return;
      }
      window.clearTimeout(timer);
      timer = null;
      var stars = checkedStars();
      if (stars !== null) {
        saved = stars;
        request("PUT", { stars: stars });
      }
    }
  });
})();
