/*
 * The moderation desk, enhanced (templates/staff/desk.html). Every control is an
 * ordinary form or link that works without this file; when it runs:
 * - decisions, bulk decisions, undo and bans go through the API without a reload: the
 *   card leaves the queue with a confirmation and an Undo button for a few seconds;
 * - keys: j/k move between cards, a approve, r reject, s spam, f feature, b ban,
 *   h author history, ? the list of keys (never while typing in a field);
 * - live: the queue counts are polled with If-None-Match (304 while nothing changed);
 *   when they change, the queue's cards are fetched again: new comments come in, and
 *   cards decided by someone else are marked so.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-desk]");
  if (!root || !window.fetch) return;

  // The page's language (static/js/times.js: Django's JavaScriptCatalog, else English).
  var i18n = window.newsiteI18n;
  var gettext = i18n.gettext;
  var ngettext = i18n.ngettext;
  var interpolate = i18n.interpolate;

  // What a decision says, each a whole sentence with the comment's author.
  var DONE = {
    approve: gettext("Approved: %(name)s."),
    reject: gettext("Rejected: %(name)s."),
    spam: gettext("Marked as spam: %(name)s."),
    feature: gettext("Featured: %(name)s."),
    unfeature: gettext("No longer featured: %(name)s."),
  };
  // And a bulk decision, with how many comments.
  function doneMany(action, n) {
    var text;
    if (action === "approve") {
      text = ngettext("Approved: %(n)s comment.", "Approved: %(n)s comments.", n);
    } else if (action === "reject") {
      text = ngettext("Rejected: %(n)s comment.", "Rejected: %(n)s comments.", n);
    } else {
      text = ngettext("Marked as spam: %(n)s comment.", "Marked as spam: %(n)s comments.", n);
    }
    return interpolate(text, { n: n }, true);
  }
  var LEAVES_QUEUE = { approve: true, reject: true, spam: true };
  var undoSeconds = parseInt(root.getAttribute("data-undo-seconds"), 10) || 10;
  var notices = root.querySelector("[data-notices]");
  var cardsBox = function () {
    return root.querySelector("[data-cards]");
  };
  var drawer = root.querySelector("[data-drawer]");
  var drawerBody = root.querySelector("[data-drawer-body]");
  var keysDialog = root.querySelector("[data-keys-dialog]");
  var selected = null;
  var returnFocus = null;

  // --- Requests ------------------------------------------------------------------------
  function csrfToken() {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function send(url, body, isForm) {
    var headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    if (!isForm) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: isForm ? body : JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { status: response.status, data: data };
        });
    });
  }

  function apiUrl(name, id) {
    return root.getAttribute("data-" + name + "-url").replace("/0/", "/" + id + "/");
  }

  function errorText(data) {
    if (!data) return gettext("Something went wrong. Try again.");
    if (typeof data.detail === "string") return data.detail;
    var parts = [];
    Object.keys(data).forEach(function (key) {
      var value = data[key];
      parts.push(Array.isArray(value) ? value.join(" ") : String(value));
    });
    return parts.join(" ") || gettext("Something went wrong. Try again.");
  }

  // --- Cards and selection ------------------------------------------------------------
  function cards() {
    return Array.prototype.slice.call(root.querySelectorAll("[data-card]"));
  }

  function cardById(id) {
    return root.querySelector('[data-card][data-comment-id="' + id + '"]');
  }

  function authorOf(card) {
    var name = card.querySelector(".desk-card__author");
    return name ? name.textContent.trim() : gettext("the comment");
  }

  function select(card, focus) {
    if (selected && selected !== card) {
      selected.classList.remove("is-selected");
      selected.removeAttribute("aria-current");
    }
    selected = card;
    if (!card) return;
    card.classList.add("is-selected");
    card.setAttribute("aria-current", "true");
    if (focus) {
      card.focus();
      card.scrollIntoView({ block: "nearest" });
    }
  }

  function current() {
    if (selected && root.contains(selected)) return selected;
    var active = document.activeElement;
    var card = active && active.closest ? active.closest("[data-card]") : null;
    if (card) select(card, false);
    return card;
  }

  function move(step) {
    var list = cards().filter(function (card) {
      return !card.classList.contains("is-decided");
    });
    if (!list.length) return;
    var index = list.indexOf(current());
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : index + step;
    next = Math.max(0, Math.min(list.length - 1, next));
    select(list[next], true);
  }

  function setStatus(card, text, level) {
    var slot = card.querySelector("[data-card-status]");
    if (!slot) return;
    slot.textContent = text;
    slot.className = "desk-card__status" + (level ? " is-" + level : "");
  }

  function setBusy(card, busy) {
    card.querySelectorAll("[data-decide-form] button").forEach(function (button) {
      button.disabled = busy;
    });
  }

  function showEmptyIfNone() {
    var box = cardsBox();
    if (box && !box.querySelector("[data-card]") && !box.querySelector("[data-empty]")) {
      var empty = document.createElement("p");
      empty.className = "desk-empty";
      empty.setAttribute("data-empty", "");
      empty.textContent = gettext("Nothing in this queue. Well done.");
      box.appendChild(empty);
    }
  }

  function bumpCount(delta) {
    var queue = root.getAttribute("data-queue");
    var count = root.querySelector('[data-count-for="' + queue + '"]');
    if (!count) return;
    var value = parseInt(count.textContent, 10);
    if (!isNaN(value)) count.textContent = String(Math.max(0, value + delta));
  }

  // The card leaves the queue; the next one (or the previous) is selected.
  function leave(card) {
    var list = cards();
    var index = list.indexOf(card);
    var wasSelected = card === selected || card.contains(document.activeElement);
    var next = list[index + 1] || list[index - 1] || null;
    card.remove();
    bumpCount(-1);
    if (selected === card) selected = null;
    if (next && wasSelected) select(next, true);
    showEmptyIfNone();
    updatePickCount();
  }

  function markDecidedElsewhere(card, text) {
    card.classList.add("is-decided");
    setBusy(card, true);
    var pick = card.querySelector("[data-pick]");
    if (pick) {
      pick.checked = false;
      pick.disabled = true;
    }
    setStatus(card, text, "warning");
  }

  // --- Confirmations ------------------------------------------------------------------
  function notify(text, level, undoId) {
    var box = document.createElement("div");
    box.className = "desk-notice desk-notice--" + (level || "success");
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    if (undoId) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "desk-button desk-button--quiet";
      button.textContent = gettext("Undo");
      button.setAttribute("data-undo-button", undoId);
      button.addEventListener("click", function () {
        undo(undoId, box);
      });
      box.appendChild(button);
      expireUndo(box);
    }
    notices.insertBefore(box, notices.firstChild);
    // Keep the last few confirmations only.
    var all = notices.querySelectorAll(".desk-notice");
    for (var i = 4; i < all.length; i += 1) all[i].remove();
    return box;
  }

  // The server refuses an undo after COMMENTS_UNDO_SECONDS; the button goes then too.
  function expireUndo(box) {
    window.setTimeout(function () {
      var control = box.querySelector("[data-undo-button], [data-undo-form]");
      if (control) control.remove();
    }, undoSeconds * 1000);
  }

  function undo(id, box) {
    send(apiUrl("undo", id), { screen: "desk" }).then(
      function (result) {
        var control = box && box.querySelector("[data-undo-button], [data-undo-form]");
        if (control) control.remove();
        if (result.status === 200) {
          notify(gettext("Undone: the comment is back where it was."), "success");
          refresh();
        } else {
          notify(errorText(result.data), "error");
        }
      },
      function () {
        notify(gettext("Could not reach the server. Try again."), "error");
      }
    );
  }

  // --- Decisions ----------------------------------------------------------------------
  function decide(card, action, fallbackButton) {
    if (!card || card.classList.contains("is-decided")) return;
    var form = card.querySelector("[data-decide-form]");
    var version = form.querySelector("[data-version-input]");
    var id = card.getAttribute("data-comment-id");
    var author = authorOf(card);
    setBusy(card, true);
    setStatus(card, gettext("Saving…"), "");
    send(apiUrl("decision", id), {
      action: action,
      version: parseInt(version.value, 10),
      screen: "desk",
    }).then(
      function (result) {
        if (result.status === 200) {
          if (LEAVES_QUEUE[action]) {
            leave(card);
            notify(interpolate(DONE[action], { name: author }, true), "success", id);
          } else {
            // Featuring keeps the comment in its queue: fetch its card afresh.
            notify(interpolate(DONE[action], { name: author }, true), "success");
            refresh(id);
          }
        } else if (result.status === 409) {
          markDecidedElsewhere(card, errorText(result.data));
        } else {
          setBusy(card, false);
          setStatus(card, errorText(result.data), "error");
        }
      },
      function () {
        // The API cannot be reached: send the form the ordinary way.
        setBusy(card, false);
        if (fallbackButton && form.requestSubmit) {
          form.setAttribute("data-plain", "");
          form.requestSubmit(fallbackButton);
        } else {
          setStatus(card, gettext("Could not reach the server. Try again."), "error");
        }
      }
    );
  }

  function featureAction(card) {
    var button = card.querySelector('[data-decide-form] [data-action="feature"]');
    return button ? button.value : "feature";
  }

  function bulk(form) {
    var picks = Array.prototype.slice.call(root.querySelectorAll("[data-pick]:checked"));
    var ids = picks.map(function (pick) {
      return parseInt(pick.value, 10);
    });
    var action = form.querySelector("select[name=action]").value;
    if (!ids.length) {
      notify(gettext("Select at least one comment."), "error");
      return;
    }
    send(root.getAttribute("data-bulk-url"), { ids: ids, action: action }).then(
      function (result) {
        if (result.status !== 200) {
          notify(errorText(result.data), "error");
          return;
        }
        var data = result.data || {};
        var idOf = function (item) {
          return String(item && typeof item === "object" ? item.id : item);
        };
        var decided = (data.decided || []).map(idOf);
        var unchanged = (data.unchanged || []).map(idOf);
        decided.forEach(function (id) {
          var card = cardById(id);
          if (card) leave(card);
        });
        unchanged.forEach(function (id) {
          var pick = cardById(id) && cardById(id).querySelector("[data-pick]");
          if (pick) pick.checked = false;
        });
        var failed = data.failed || {};
        Object.keys(failed).forEach(function (id) {
          var card = cardById(id);
          if (card) setStatus(card, failed[id], "error");
        });
        var text = doneMany(action, decided.length);
        if (unchanged.length) {
          text +=
            " " +
            interpolate(
              ngettext(
                "%(n)s comment was already so.",
                "%(n)s comments were already so.",
                unchanged.length
              ),
              { n: unchanged.length },
              true
            );
        }
        var failedCount = Object.keys(failed).length;
        if (failedCount) {
          text +=
            " " +
            interpolate(
              ngettext("%(n)s comment failed.", "%(n)s comments failed.", failedCount),
              { n: failedCount },
              true
            );
        }
        notify(text, Object.keys(failed).length ? "warning" : "success");
        updatePickCount();
      },
      function () {
        form.setAttribute("data-plain", "");
        form.submit();
      }
    );
  }

  function updatePickCount() {
    var slot = root.querySelector("[data-pick-count]");
    if (!slot) return;
    var n = root.querySelectorAll("[data-pick]:checked").length;
    slot.textContent = n ? interpolate(ngettext("%(n)s selected", "%(n)s selected", n), { n: n }, true) : "";
  }

  // --- Bans ---------------------------------------------------------------------------
  function ban(form) {
    var result = form.querySelector("[data-ban-result]");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    send(form.action, new FormData(form), true).then(
      function (response) {
        button.disabled = false;
        form.querySelectorAll(".desk-error[data-js]").forEach(function (el) {
          el.remove();
        });
        if (response.status === 200) {
          result.textContent = response.data.detail;
          notify(response.data.detail, "success");
        } else {
          result.textContent = errorText(response.data);
        }
      },
      function () {
        button.disabled = false;
        form.setAttribute("data-plain", "");
        form.submit();
      }
    );
  }

  function openBan(card) {
    var details = card.querySelector("[data-ban-details]");
    if (!details) return;
    details.open = true;
    var first =
      details.querySelector("input[type=radio]:checked") ||
      details.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  // --- Author history drawer ------------------------------------------------------------
  function openHistory(link) {
    if (!drawer || typeof drawer.showModal !== "function") {
      window.location.href = link.href;
      return;
    }
    returnFocus = document.activeElement;
    var url = link.href + (link.href.indexOf("?") === -1 ? "?" : "&") + "fragment=1";
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        // Our own page's markup, escaped by the server's templates.
        drawerBody.innerHTML = html;
        drawer.showModal();
        var heading = drawerBody.querySelector("h3");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      })
      .catch(function () {
        window.location.href = link.href;
      });
  }

  if (drawer) {
    drawer.addEventListener("close", function () {
      if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    });
  }

  // --- Live updates -------------------------------------------------------------------
  var etag = null;
  var refreshing = false;

  function updateCounts(data) {
    var counts = data && data.counts ? data.counts : data || {};
    root.querySelectorAll("[data-count-for]").forEach(function (slot) {
      var key = slot.getAttribute("data-count-for");
      if (counts[key] === undefined) return;
      var over = (counts.capped || []).indexOf(key) !== -1;
      var text = String(counts[key]) + (over ? "+" : "");
      if (slot.textContent !== text) {
        slot.textContent = text;
        slot.classList.add("is-changed");
        window.setTimeout(function () {
          slot.classList.remove("is-changed");
        }, 2000);
      }
    });
  }

  // Fetch the queue's cards; bring in the new ones (in their place), mark the ones
  // decided elsewhere; ``replaceId``: a card to take afresh (after featuring it).
  function refresh(replaceId) {
    if (refreshing) return;
    refreshing = true;
    fetch(root.getAttribute("data-fragment-url"), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = Array.prototype.slice.call(doc.querySelectorAll("[data-card]"));
        var freshIds = {};
        var box = cardsBox();
        fresh.forEach(function (card, index) {
          var id = card.getAttribute("data-comment-id");
          freshIds[id] = true;
          var existing = cardById(id);
          var node = document.importNode(card, true);
          if (existing) {
            if (String(replaceId) === id) {
              existing.replaceWith(node);
              if (selected === existing) select(node, true);
            }
            return;
          }
          node.classList.add("is-new");
          // Before the first card that comes after it in the fresh order.
          var before = null;
          for (var i = index + 1; i < fresh.length && !before; i += 1) {
            before = cardById(fresh[i].getAttribute("data-comment-id"));
          }
          box.insertBefore(node, before);
          setStatus(node, gettext("New"), "");
        });
        cards().forEach(function (card) {
          var id = card.getAttribute("data-comment-id");
          if (!freshIds[id] && !card.classList.contains("is-decided")) {
            markDecidedElsewhere(card, gettext("Decided by someone else."));
          }
        });
        var empty = box.querySelector("[data-empty]");
        if (empty && box.querySelector("[data-card]")) empty.remove();
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
      });
  }

  function pollDelay() {
    return Math.max(250, parseInt(root.getAttribute("data-poll-ms"), 10) || 10000);
  }

  function poll() {
    if (document.hidden) {
      window.setTimeout(poll, pollDelay());
      return;
    }
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(root.getAttribute("data-counts-url"), {
      credentials: "same-origin",
      headers: headers,
      cache: "no-store",
    })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error(String(response.status));
        etag = response.headers.get("ETag") || etag;
        return response.json().then(function (data) {
          updateCounts(data);
          refresh();
        });
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, pollDelay());
      });
  }

  // --- Wiring -------------------------------------------------------------------------
  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-plain")) return;
    if (form.matches("[data-decide-form]")) {
      event.preventDefault();
      var button = event.submitter;
      var card = form.closest("[data-card]");
      select(card, false);
      decide(card, button && button.value ? button.value : "approve", button);
    } else if (form.matches("[data-bulk-form]")) {
      event.preventDefault();
      bulk(form);
    } else if (form.matches("[data-ban-form]")) {
      event.preventDefault();
      ban(form);
    } else if (form.matches("[data-undo-form]")) {
      event.preventDefault();
      undo(form.getAttribute("data-comment-id"), form.closest(".desk-notice"));
    }
  });

  root.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-author-link]") : null;
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      var card = link.closest("[data-card]");
      if (card) select(card, false);
      openHistory(link);
    }
    var card2 = event.target.closest ? event.target.closest("[data-card]") : null;
    if (card2 && !card2.classList.contains("is-decided")) select(card2, false);
  });

  root.addEventListener("change", function (event) {
    if (event.target.matches("[data-pick]")) updatePickCount();
  });

  var pickAll = root.querySelector("[data-pick-all]");
  if (pickAll) {
    pickAll.hidden = false;
    pickAll.addEventListener("click", function () {
      var picks = root.querySelectorAll("[data-pick]:not(:disabled)");
      var all = Array.prototype.every.call(picks, function (pick) {
        return pick.checked;
      });
      picks.forEach(function (pick) {
        pick.checked = !all;
      });
      pickAll.textContent = all ? gettext("Select all") : gettext("Select none");
      updatePickCount();
    });
  }

  var keysButton = root.querySelector("[data-keys-open]");
  function showKeys() {
    if (keysDialog && typeof keysDialog.showModal === "function" && !keysDialog.open) {
      keysDialog.showModal();
    }
  }
  if (keysButton) {
    keysButton.hidden = false;
    keysButton.addEventListener("click", showKeys);
  }

  // The server's own confirmations lose their Undo button when the server would.
  root.querySelectorAll("[data-undo-notice]").forEach(expireUndo);

  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.isContentEditable || target.closest("input, textarea, select"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if ((keysDialog && keysDialog.open) || (drawer && drawer.open)) return;
    var key = event.key;
    var card;
    switch (key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "a":
      case "r":
      case "s":
        card = current();
        if (!card) return;
        decide(card, { a: "approve", r: "reject", s: "spam" }[key]);
        break;
      case "f":
        card = current();
        if (!card) return;
        decide(card, featureAction(card));
        break;
      case "b":
        card = current();
        if (!card) return;
        openBan(card);
        break;
      case "h":
        card = current();
        if (!card) return;
        openHistory(card.querySelector("[data-author-link]"));
        break;
      case "?":
        showKeys();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  window.setTimeout(poll, pollDelay());
})();
