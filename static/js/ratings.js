// Star rating: updates in place through the API when JavaScript is on; the plain
// form POST keeps working without it.
(function () {
  "use strict";

  function csrfToken(form) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function formatAverage(value) {
    return Number(value).toFixed(1).replace(/\.0$/, "");
  }

  function step(percent) {
    return Math.min(100, Math.max(0, 5 * Math.round(percent / 5)));
  }

  function render(root, data) {
    root.querySelector("[data-rating-average]").textContent = formatAverage(data.average);
    root.querySelector("[data-rating-count]").textContent = String(data.count);
    root.querySelector("[data-rating-voters]").textContent = data.count === 1 ? "voter" : "voters";
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
    var mine = root.querySelector("[data-rating-mine]");
    mine.textContent = data.mine ? "Your rating: " + data.mine + " of 5." : "";
    root.querySelector("[data-rating-withdraw]").hidden = !data.mine;
    root.querySelectorAll("input[name=stars]").forEach(function (input) {
      input.checked = Number(input.value) === data.mine;
    });
  }

  function send(root, form, method, body) {
    var mine = root.querySelector("[data-rating-mine]");
    return fetch(root.dataset.ratingApi, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(form),
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
          mine.textContent = result.data.detail || "Your rating could not be saved.";
        }
        return result;
      })
      .catch(function () {
        mine.textContent = "Your rating could not be saved. Please try again.";
        return { ok: false };
      });
  }

  document.querySelectorAll(".rating").forEach(function (root) {
    var form = root.querySelector("[data-rating-form]");
    if (!form || !window.fetch) return;
    form.classList.add("is-enhanced");

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
        if (result.ok && !queued) render(root, result.data);
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
      var checked = form.querySelector("input[name=stars]:checked");
      return checked ? Number(checked.value) : null;
    }

    function pause() {
      var ms = Number(root.getAttribute("data-rating-pause"));
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

    form.addEventListener("keydown", function (event) {
      if (event.target.name !== "stars") return;
      if (event.key === "Enter") {
        // Not the form's submit: that would send the same choice a second time.
        event.preventDefault();
        commit();
      } else if (event.key === " ") {
        // Space on the chosen star confirms it; on another one it chooses (a change).
        if (event.target.checked) commit();
      }
      arrowing = /^(Arrow(Up|Down|Left|Right)|Home|End)$/.test(event.key);
    });
    form.addEventListener("pointerdown", function () {
      arrowing = false;
    });
    form.addEventListener("change", function (event) {
      if (event.target.name !== "stars") return;
      window.clearTimeout(timer);
      if (arrowing) timer = window.setTimeout(commit, pause());
      else commit();
      arrowing = false;
    });
    form.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (timer && !(next && next.name === "stars" && form.contains(next))) commit();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var submitter = event.submitter;
      if (submitter && submitter.name === "withdraw") {
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
    });
  });
})();
